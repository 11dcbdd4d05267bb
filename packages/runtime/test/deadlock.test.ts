import {
  createSystem,
  type DeadLetter,
  type DeadlockCycle,
  DeadlockError,
  isConfigError,
  isDeadlockError,
  isHierarchyViolationError,
  registerDeadlockStrategy,
  SimulatedClock,
  supervisor,
} from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { collect, expectAccounted, ofType, type RingMsg, ring, ringDef, settle } from './deadlock-helpers.ts';

const LONG = { timeoutMs: 600_000 };

describe('deadlock detection: cycles', () => {
  for (const n of [1, 2, 3, 7, 40]) {
    it(`detects a cycle of length ${n} and fails the closing ask (fail-ask)`, async () => {
      const clock = new SimulatedClock();
      const system = await createSystem({ clock, deadlock: { strategy: 'fail-ask' } });
      const events = collect(system);
      const refs = ring(system, n);
      const answer = await refs[0]!.ask<string>({ type: 'go' }, LONG);
      const chain = Array.from({ length: n - 1 }, (_, i) => `${i}>`).join('');
      expect(answer).toBe(`${chain}${n - 1}:deadlock`);
      const [detected] = ofType(events, 'deadlock.detected');
      expect(detected!.cycle.actors.map((a: { id: number }) => a.id)).toEqual(
        [n - 1, ...Array.from({ length: n - 1 }, (_, i) => i)].map((i) => refs[i]!.id),
      );
      expect(detected!.cycle.asks).toHaveLength(n);
      const [resolved] = ofType(events, 'deadlock.resolved');
      expect(resolved).toMatchObject({
        strategy: 'fail-ask',
        action: { type: 'fail-ask', ask: detected!.cycle.closing },
      });
      await settle();
      expect(ofType(events, 'deadlock.detected')).toHaveLength(1);
      expect(system.stats().deadLettered.byReason).toEqual({ deadlock: 1 });
      expect(system.waitForGraph().edges).toHaveLength(0);
      expectAccounted(system);
    });
  }

  it('detects a cycle whose asks are made after an await (already blocked handlers)', async () => {
    const system = await createSystem({ clock: new SimulatedClock(), deadlock: { strategy: 'fail-ask' } });
    const refs = ring(system, 4, ringDef('ring-after-await', undefined, undefined, true));
    await expect(refs[0]!.ask({ type: 'go' }, LONG)).resolves.toBe('0>1>2>3:deadlock');
    await settle();
    expectAccounted(system);
  });

  it('leaves the cycle to timeouts under timeout-only (no detection)', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock, askTimeoutMs: 1000 });
    const events = collect(system);
    const refs = ring(system, 3);
    const answer = refs[0]!.ask<string>({ type: 'go' }, LONG);
    await settle();
    clock.advance(1000);
    await expect(answer).resolves.toBe('0:ask-timeout');
    expect(ofType(events, 'deadlock.detected')).toHaveLength(0);
    expect(system.waitForGraph()).toEqual({ nodes: [], edges: [] });
  });

  it('the closing ask is dead-lettered `deadlock` and its asker gets a DeadlockError', async () => {
    const system = await createSystem({ clock: new SimulatedClock(), deadlock: { strategy: 'fail-ask' } });
    const refs = ring(system, 2);
    const letters: DeadLetter[] = [];
    system.deadLetters$.subscribe((d) => letters.push(d));
    await refs[0]!.ask({ type: 'go' }, LONG);
    expect(letters).toMatchObject([
      {
        reason: 'deadlock',
        recipient: { id: refs[0]!.id },
        sender: { id: refs[1]!.id },
        message: { type: 'go' },
      },
    ]);
    const err = new DeadlockError([{ actor: refs[0]!.toJSON(), waitingForMs: 3 }], 'fail-ask');
    expect(isDeadlockError(err) && err.context.cycle[0]!.waitingForMs === 3).toBe(true);
  });
});

describe('deadlock strategies', () => {
  it('fail-youngest fails the most recent wait', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock, deadlock: { strategy: 'fail-youngest' } });
    const events = collect(system);
    const refs = ring(system, 3);
    // In one thread the closing wait is also the youngest; the strategy picks it by age, then id.
    await expect(refs[0]!.ask({ type: 'go' }, LONG)).resolves.toBe('0>1>2:deadlock');
    const [resolved] = ofType(events, 'deadlock.resolved');
    const youngest = [...resolved!.cycle.asks].sort((a, b) => a.ageMs - b.ageMs || b.id - a.id)[0];
    expect(resolved!.action).toEqual({ type: 'fail-ask', ask: youngest.id });
    expectAccounted(system);
  });

  it('restart-victim aborts the lowest-priority actor and restarts it with reason deadlock', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock, deadlock: { strategy: 'restart-victim' } });
    const events = collect(system);
    const A = ringDef('victim-a', { priority: 5 });
    const B = ringDef('victim-b', { priority: -1 });
    const a = system.spawnSync(A, { idx: 0 });
    const b = system.spawnSync(B, { idx: 1 });
    a.tell({ type: 'link', next: b });
    b.tell({ type: 'link', next: a });
    // a asks b, b asks a (closing). b has the lower priority: its handler (a's ask) is
    // aborted, so a's ask fails with DeadlockError; b's ask to a is dead-lettered.
    await expect(a.ask({ type: 'go' }, LONG)).resolves.toBe('0:deadlock');
    await settle();
    const restarted = ofType(events, 'actor.restarted');
    expect(restarted).toHaveLength(1);
    expect(restarted[0]).toMatchObject({ actor: { id: b.id }, reason: 'deadlock' });
    expect(ofType(events, 'deadlock.resolved')[0]!.action).toEqual({ type: 'restart', actor: b.id });
    expect(system.stats().deadLettered.byReason).toEqual({ deadlock: 2 });
    // b works again after its restart.
    await expect(b.ask({ type: 'ping' })).resolves.toBe('pong 1');
    expectAccounted(system);
  });

  it('restart-victim under a supervisor: the victim is restarted in place by its supervisor', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock, deadlock: { strategy: 'restart-victim' } });
    const events = collect(system);
    const A = ringDef('sup-victim-a', { priority: 1 });
    const B = ringDef('sup-victim-b', { priority: 0 });
    const tree = await system.start(
      supervisor({
        id: 'dl',
        children: [
          { id: 'a', actor: A, props: { idx: 0 } },
          { id: 'b', actor: B, props: { idx: 1 } },
        ],
      }),
    );
    const a = (await tree.child<RingMsg>('a'))!;
    const b = (await tree.child<RingMsg>('b'))!;
    a.tell({ type: 'link', next: b });
    b.tell({ type: 'link', next: a });
    await expect(a.ask({ type: 'go' }, LONG)).resolves.toBe('0:deadlock');
    await settle();
    const failed = ofType(events, 'supervisor.child-failed');
    expect(failed).toHaveLength(1);
    expect(isDeadlockError(failed[0]!.error)).toBe(true);
    expect(ofType(events, 'actor.restarted')).toMatchObject([{ actor: { id: b.id } }]);
    await expect(b.ask({ type: 'ping' })).resolves.toBe('pong 1');
    expectAccounted(system);
  });

  it('restart-victim breaks ties on priority by the youngest actor', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock, deadlock: { strategy: 'restart-victim' } });
    const events = collect(system);
    const refs = ring(system, 3);
    const outer = refs[0]!.ask({ type: 'go' }, LONG);
    await settle();
    const first = ofType(events, 'deadlock.resolved')[0]!;
    expect(first.action).toEqual({ type: 'restart', actor: refs[2]!.id });
    await expect(outer).resolves.toMatch(/deadlock/);
    await settle();
    expect(ofType(events, 'actor.restarted').every((e) => e.reason === 'deadlock')).toBe(true);
    expectAccounted(system);
  });

  it('per-definition strategy overrides the system one', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock, askTimeoutMs: 1000 });
    const events = collect(system);
    const refs = ring(system, 2, ringDef('ring-fail-ask', { strategy: 'fail-ask' }));
    await expect(refs[0]!.ask({ type: 'go' }, LONG)).resolves.toBe('0>1:deadlock');
    expect(ofType(events, 'deadlock.resolved')[0]).toMatchObject({ strategy: 'fail-ask' });
    expectAccounted(system);
  });

  it('a custom strategy gets the cycle (actors, asks, ages) and its action is applied', async () => {
    const seen: DeadlockCycle[] = [];
    // Sacrifice the oldest actor (lowest id) — neither built-in picks it in a ring.
    registerDeadlockStrategy('test-restart-oldest', (cycle) => {
      seen.push(cycle);
      return { type: 'restart', actor: Math.min(...cycle.actors.map((a) => a.id)) };
    });
    const clock = new SimulatedClock();
    const system = await createSystem({ clock, deadlock: { strategy: 'test-restart-oldest' } });
    const events = collect(system);
    const refs = ring(system, 3);
    // ring 0's handler (this ask) is aborted: the outer ask fails with the DeadlockError.
    await expect(refs[0]!.ask({ type: 'go' }, LONG)).rejects.toSatisfy(
      (e) =>
        isDeadlockError(e) && e.context.strategy === 'test-restart-oldest' && e.context.cycle.length === 3,
    );
    await settle();
    expect(seen).toHaveLength(1);
    const c = seen[0]!;
    expect(c.actors.map((a) => a.id)).toEqual([refs[2]!.id, refs[0]!.id, refs[1]!.id]);
    expect(c.actors.every((a) => a.priority === 0)).toBe(true);
    expect(c.asks.map((a) => [a.from.id, a.to.id])).toEqual([
      [refs[2]!.id, refs[0]!.id],
      [refs[0]!.id, refs[1]!.id],
      [refs[1]!.id, refs[2]!.id],
    ]);
    expect(c.asks.every((a) => a.ageMs === 0 && a.messageType === 'go')).toBe(true);
    expect(c.closing).toBe(c.asks[0]!.id);
    expect(ofType(events, 'actor.restarted')).toMatchObject([
      { actor: { id: refs[0]!.id }, reason: 'deadlock' },
    ]);
    expectAccounted(system);
  });

  it('a custom strategy returning none leaves the cycle to timeouts; a broken one falls back to fail-ask', async () => {
    registerDeadlockStrategy('test-none', () => ({ type: 'none' }));
    registerDeadlockStrategy('test-broken', () => ({ type: 'fail-ask', ask: -1 }));
    const clock = new SimulatedClock();
    const system = await createSystem({ clock, askTimeoutMs: 1000, deadlock: { strategy: 'test-none' } });
    const refs = ring(system, 2);
    const outer = refs[0]!.ask<string>({ type: 'go' }, LONG);
    await settle();
    clock.advance(1000);
    await expect(outer).resolves.toBe('0:ask-timeout');

    const s2 = await createSystem({ clock, deadlock: { strategy: 'test-broken' } });
    const events = collect(s2);
    const r2 = ring(s2, 2);
    await expect(r2[0]!.ask({ type: 'go' }, LONG)).resolves.toBe('0>1:deadlock');
    const [resolved] = ofType(events, 'deadlock.resolved');
    expect(isConfigError(resolved!.error)).toBe(true);
  });

  it('registerDeadlockStrategy and options are validated', async () => {
    expect(() => registerDeadlockStrategy('fail-ask', () => ({ type: 'none' }))).toThrow(
      /already registered/,
    );
    expect(() => registerDeadlockStrategy('', () => ({ type: 'none' }))).toThrow(/non-empty/);
    await expect(createSystem({ deadlock: { strategy: 'nope' } })).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'options.deadlock.strategy',
    );
    await expect(createSystem({ deadlock: { stallMs: -1 } })).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'options.deadlock.stallMs',
    );
    expect(() => ringDef('bad-rank', undefined, Number.NaN)).toThrow(/rank/);
    expect(() => ringDef('bad-prio', { priority: 'x' as never })).toThrow(/priority/);
  });
});

describe('prevent: ask hierarchy', () => {
  const Upper = ringDef('rank-upper', { strategy: 'prevent' }, 1);
  const Lower = ringDef('rank-lower', { strategy: 'prevent' }, 2);

  it('rejects an ask against the rank order at once, before any cycle forms', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const events = collect(system);
    const up = system.spawnSync(Upper, { idx: 0 });
    const low = system.spawnSync(Lower, { idx: 1 });
    up.tell({ type: 'link', next: low });
    low.tell({ type: 'link', next: up });
    // up (1) → low (2) is allowed; low → up goes against the order and is refused.
    await expect(up.ask({ type: 'go' }, LONG)).resolves.toBe('0>1:hierarchy-violation');
    expect(ofType(events, 'deadlock.detected')).toHaveLength(0);
    const [v] = ofType(events, 'hierarchy.violation');
    expect(v).toMatchObject({ from: { id: low.id }, to: { id: up.id }, fromRank: 2, toRank: 1 });
    expect(system.stats().deadLettered.byReason).toEqual({ 'hierarchy-violation': 1 });
    expectAccounted(system);
  });

  it('a self-ask is a violation too (equal rank)', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const up = system.spawnSync(Upper, { idx: 0 });
    up.tell({ type: 'link', next: up });
    await expect(up.ask({ type: 'go' }, LONG)).resolves.toBe('0:hierarchy-violation');
    expectAccounted(system);
  });

  it('the error is typed', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const low = system.spawnSync(Lower, { idx: 0 });
    const up = system.spawnSync(Upper, { idx: 1 });
    let caught: unknown;
    const Probe = ringDef('rank-probe', { strategy: 'prevent' }, 3);
    const p = system.spawnSync(Probe, { idx: 2 });
    p.tell({ type: 'link', next: up });
    await p.ask({ type: 'go' }, LONG).then((r) => (caught = r));
    expect(caught).toBe('2:hierarchy-violation');
    expect(
      isHierarchyViolationError(
        new (await import('@troupe/runtime')).HierarchyViolationError(low.toJSON(), up.toJSON(), 2, 1),
      ),
    ).toBe(true);
  });
});
