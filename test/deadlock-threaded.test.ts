/**
 * Deadlock detection across executors: wait-for edges forwarded to the main
 * thread's detector (features/deadlock/global.ts), confirmed, resolved on the asker's
 * executor. Actors of each cycle are placed on different executors.
 */
import {
  type ActorDefinition,
  type ActorRef,
  type ActorSystem,
  type AnyTroupeEvent,
  createSystem,
  type DeadlockOptions,
  isDeadlockError,
  registerDeadlockStrategy,
} from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import * as A from './fixtures/deadlock-actors.ts';

const actors = new URL('./fixtures/deadlock-actors.ts', import.meta.url);
let system: ActorSystem | undefined;

afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

async function start(executors: number, deadlock?: DeadlockOptions): Promise<ActorSystem> {
  system = await createSystem({
    actors,
    executors,
    topology: { groups: Array.from({ length: executors }, (_, i) => [i]) },
    ...(deadlock ? { deadlock } : {}),
  });
  return system;
}

function collect(s: ActorSystem): Array<AnyTroupeEvent & Record<string, any>> {
  const out: Array<AnyTroupeEvent & Record<string, any>> = [];
  s.events$.subscribe((e) => out.push(e as AnyTroupeEvent & Record<string, any>));
  return out;
}

/** n ring actors, actor i on executor (i % executors) + 1, linked i → i+1 → … → 0. */
async function ring(
  s: ActorSystem,
  n: number,
  executors: number,
  defs: (i: number) => ActorDefinition<any, any, any> = () => A.ring,
  timeoutMs?: number,
): Promise<ActorRef<A.RingMsg>[]> {
  const refs: ActorRef<A.RingMsg>[] = [];
  for (let i = 0; i < n; i++)
    refs.push(
      await s.spawn(
        defs(i),
        { idx: i, ...(timeoutMs ? { timeoutMs } : {}) },
        { placement: { executor: (i % executors) + 1 } },
      ),
    );
  for (let i = 0; i < n; i++) await refs[i]!.ask({ type: 'link', next: refs[(i + 1) % n]! });
  return refs;
}

/** Quiescence: every executor published, nothing in flight. */
async function accounted(s: ActorSystem): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await s.syncStats();
    if (s.stats().inFlight === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const st = s.stats();
  expect(st.inFlight).toBe(0);
  expect(st.sent).toBe(st.processed + st.deadLettered.total);
}

async function graphEmpty(s: ActorSystem): Promise<void> {
  for (let i = 0; i < 100 && s.waitForGraph().edges.length > 0; i++)
    await new Promise((r) => setTimeout(r, 10));
  expect(s.waitForGraph().edges).toHaveLength(0);
}

const strip = (answer: string) => answer.replace(/@[\d.]+$/, '');

describe('deadlock detection across executors', () => {
  for (const [n, executors] of [
    [2, 2],
    [3, 3],
    [12, 3],
  ] as const) {
    it(`detects a cycle of length ${n} over ${executors} executors and fails the closing ask (fail-ask)`, async () => {
      const s = await start(executors, { strategy: 'fail-ask' });
      const events = collect(s);
      const refs = await ring(s, n, executors);
      const answer = await refs[0]!.ask<string>({ type: 'go' }, { timeoutMs: 15_000 });
      const chain = Array.from({ length: n - 1 }, (_, i) => `${i}>`).join('');
      expect(strip(answer)).toBe(`${chain}${n - 1}:deadlock`);
      const detected = events.filter((e) => e.type === 'deadlock.detected');
      expect(detected).toHaveLength(1);
      // The closing wait (the last actor's ask back to the first) comes first in the cycle.
      expect(detected[0]!.cycle.actors.map((a: { id: number }) => a.id)).toEqual(
        [n - 1, ...Array.from({ length: n - 1 }, (_, i) => i)].map((i) => refs[i]!.id),
      );
      const [resolved] = events.filter((e) => e.type === 'deadlock.resolved');
      expect(resolved).toMatchObject({
        strategy: 'fail-ask',
        action: { type: 'fail-ask', ask: detected[0]!.cycle.closing },
      });
      await accounted(s);
      // The closing ask's message, still queued on the first actor's executor, is withdrawn (as in-thread).
      expect(s.stats().deadLettered.byReason).toEqual({ deadlock: 1 });
      expect(events.filter((e) => e.type === 'deadlock.detected')).toHaveLength(1);
      // The main thread's graph trails the executors by the forwarding delay and a channel hop.
      await graphEmpty(s);
    });
  }
});

describe('deadlock detection on an executor (in-thread there)', () => {
  it('a self-ask (cycle of length 1) and a cycle within one executor are resolved by that executor', async () => {
    const s = await start(2, { strategy: 'fail-ask' });
    const events = collect(s);
    const [self] = await ring(s, 1, 1);
    expect(strip(await self!.ask<string>({ type: 'go' }, { timeoutMs: 15_000 }))).toBe('0:deadlock');
    const local = await ring(s, 3, 1); // all on executor 1
    expect(strip(await local[0]!.ask<string>({ type: 'go' }, { timeoutMs: 15_000 }))).toBe('0>1>2:deadlock');
    await accounted(s);
    expect(s.stats().deadLettered.byReason).toEqual({ deadlock: 2 });
    // Found by the executor's own detector (its events are forwarded while someone listens), once each.
    for (let i = 0; i < 50 && events.filter((e) => e.type === 'deadlock.resolved').length < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(events.filter((e) => e.type === 'deadlock.detected')).toHaveLength(2);
  });

  it('waitForGraph() shows the forwarded edges of a cycle left in place (custom strategy: none)', async () => {
    registerDeadlockStrategy('dl-threaded-none', () => ({ type: 'none' }));
    const s = await start(2, { strategy: 'dl-threaded-none' });
    const refs = await ring(s, 2, 2, () => A.ring, 2000);
    const answer = refs[0]!.ask<string>({ type: 'go' }, { timeoutMs: 15_000 });
    for (let i = 0; i < 100 && s.waitForGraph().edges.length < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    const g = s.waitForGraph();
    expect(g.edges.map((e) => [e.from, e.to]).sort()).toEqual(
      [
        [refs[0]!.id, refs[1]!.id],
        [refs[1]!.id, refs[0]!.id],
      ].sort(),
    );
    expect(g.nodes.map((n) => n.id).sort()).toEqual([refs[0]!.id, refs[1]!.id].sort());
    expect(strip(await answer)).toMatch(/^(0:ask-timeout|0>1:ask-timeout)$/);
  });
});

describe('strategies across executors', () => {
  it('fail-youngest (per definition) fails the most recent wait of the cycle', async () => {
    const s = await start(3);
    const events = collect(s);
    const refs = await ring(s, 3, 3, () => A.ringYoungest);
    expect(strip(await refs[0]!.ask<string>({ type: 'go' }, { timeoutMs: 15_000 }))).toBe('0>1>2:deadlock');
    const [resolved] = events.filter((e) => e.type === 'deadlock.resolved');
    const youngest = [...resolved!.cycle.asks].sort((a, b) => a.ageMs - b.ageMs)[0];
    expect(resolved).toMatchObject({
      strategy: 'fail-youngest',
      action: { type: 'fail-ask', ask: youngest.id },
    });
    await accounted(s);
  });

  it('ask ids grow with creation order across executors (fail-youngest breaks age ties by them)', async () => {
    const s = await start(3);
    const events = collect(s);
    // The ring runs from the highest executor down, so per-executor counters would number the
    // later asks lower (each executor's first ask, its node in the low bits).
    const refs: ActorRef<A.RingMsg>[] = [];
    for (let i = 0; i < 3; i++)
      refs.push(await s.spawn(A.ringYoungest, { idx: i }, { placement: { executor: 3 - i } }));
    for (let i = 0; i < 3; i++) await refs[i]!.ask({ type: 'link', next: refs[(i + 1) % 3]! });
    expect(strip(await refs[0]!.ask<string>({ type: 'go' }, { timeoutMs: 15_000 }))).toBe('0>1>2:deadlock');
    const [resolved] = events.filter((e) => e.type === 'deadlock.resolved');
    const oldestFirst = [...resolved!.cycle.asks].sort((a, b) => b.ageMs - a.ageMs);
    expect(oldestFirst.map((a) => a.from.id)).toEqual(refs.map((r) => r.id));
    const ids = oldestFirst.map((a) => a.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(resolved!.action).toEqual({ type: 'fail-ask', ask: ids[2] });
    await accounted(s);
  });

  it('restart-victim restarts the lowest-priority actor (on its executor) with reason deadlock', async () => {
    const s = await start(2, { strategy: 'restart-victim' });
    const events = collect(s);
    const refs = await ring(s, 2, 2, (i) => (i === 0 ? A.ringHigh : A.ringLow));
    const [a, b] = refs as [ActorRef<A.RingMsg>, ActorRef<A.RingMsg>];
    // a asks b, b asks a (closing). b has the lower priority: its handler (a's ask) is aborted,
    // so a's ask fails with DeadlockError; b's ask to a is withdrawn from a's mailbox.
    expect(strip(await a.ask<string>({ type: 'go' }, { timeoutMs: 15_000 }))).toBe('0:deadlock');
    expect(events.find((e) => e.type === 'deadlock.resolved')!.action).toEqual({
      type: 'restart',
      actor: b.id,
    });
    await expect(b.ask({ type: 'ping' })).resolves.toBe('pong 1');
    await accounted(s);
    expect(s.stats().deadLettered.byReason).toEqual({ deadlock: 2 });
    expect(events.filter((e) => e.type === 'actor.restarted')).toMatchObject([
      { actor: { id: b.id }, reason: 'deadlock' },
    ]);
  });

  it('restart-victim takes the youngest actor by spawn order, not by id: an older actor born on a higher executor is spared', async () => {
    const s = await start(2, { strategy: 'restart-victim' });
    const events = collect(s);
    // Executor 2 spawns more than executor 1 first: with per-executor counters in the ids its
    // older actor would get the higher id and be taken for the youngest.
    for (let i = 0; i < 4; i++) await s.spawn(A.ring, { idx: 10 + i }, { placement: { executor: 2 } });
    const older = await s.spawn(A.ring, { idx: 0 }, { placement: { executor: 2 } });
    const younger = await s.spawn(A.ring, { idx: 1 }, { placement: { executor: 1 } });
    await older.ask({ type: 'link', next: younger });
    await younger.ask({ type: 'link', next: older });
    // Equal priorities: the younger one is the victim, so the older one's ask fails.
    expect(strip(await older.ask<string>({ type: 'go' }, { timeoutMs: 15_000 }))).toBe('0:deadlock');
    const resolved = events.find((e) => e.type === 'deadlock.resolved')!;
    expect(resolved.action).toEqual({ type: 'restart', actor: younger.id });
    // Its reply comes after its restart event on the same channel: the event has arrived by then.
    await expect(younger.ask({ type: 'ping' })).resolves.toBe('pong 1');
    expect(events.filter((e) => e.type === 'actor.restarted')).toMatchObject([
      { actor: { id: younger.id }, reason: 'deadlock' },
    ]);
    await accounted(s);
  });

  it('a custom strategy (registered on the main thread) gets the whole cycle and its action is applied', async () => {
    const seen: Array<{ actors: number; asks: number; ages: boolean; closingFirst: boolean }> = [];
    registerDeadlockStrategy('dl-threaded-custom', (c) => {
      seen.push({
        actors: c.actors.length,
        asks: c.asks.length,
        ages: c.asks.every((a) => a.ageMs >= 0),
        closingFirst: c.asks[0]!.id === c.closing,
      });
      // actors[0] is the closing asker: its ask gives way.
      return { type: 'fail-ask', ask: c.asks.find((a) => a.from.id === c.actors[0]!.id)!.id };
    });
    const s = await start(3, { strategy: 'dl-threaded-custom' });
    const events = collect(s);
    const refs = await ring(s, 3, 3);
    expect(strip(await refs[0]!.ask<string>({ type: 'go' }, { timeoutMs: 15_000 }))).toBe('0>1>2:deadlock');
    expect(seen).toEqual([{ actors: 3, asks: 3, ages: true, closingFirst: true }]);
    expect(events.find((e) => e.type === 'deadlock.resolved')).toMatchObject({
      strategy: 'dl-threaded-custom',
    });
    await accounted(s);
  });

  it("prevent: an ask against the rank order is refused on the asker's executor, across threads", async () => {
    const s = await start(2, { strategy: 'prevent' });
    const events = collect(s);
    const r1 = await s.spawn(A.ranked1, { idx: 1 }, { placement: { executor: 1 } });
    const r2 = await s.spawn(A.ranked2, { idx: 2 }, { placement: { executor: 2 } });
    await expect(r1.ask({ type: 'ask', to: r2 })).resolves.toBe('1>pong 2');
    expect(strip(await r2.ask<string>({ type: 'ask', to: r1 }))).toBe('2:hierarchy-violation');
    await accounted(s);
    expect(s.stats().deadLettered.byReason).toEqual({ 'hierarchy-violation': 1 });
    await new Promise((r) => setTimeout(r, 50));
    expect(events.filter((e) => e.type === 'hierarchy.violation')).toHaveLength(1);
  });

  it('timeout-only: no detection; the cycle ends by ask timeout', async () => {
    const s = await start(2);
    const events = collect(s);
    const refs = await ring(s, 2, 2, () => A.ring, 300);
    expect(strip(await refs[0]!.ask<string>({ type: 'go' }, { timeoutMs: 15_000 }))).toMatch(
      /^(0:ask-timeout|0>1:ask-timeout)$/,
    );
    // (The ring then goes on deadlocking by timeouts: each freed actor takes the queued ask and asks again.)
    expect(events.filter((e) => e.type === 'deadlock.detected')).toHaveLength(0);
  });
});

describe('reentrancy across executors', () => {
  it('call chains travel in ask frames: a callback of the same chain is served, not a deadlock', async () => {
    const s = await start(2, { strategy: 'fail-ask' });
    const events = collect(s);
    const a = await s.spawn(A.ringReentrant, { idx: 0 }, { placement: { executor: 1 } });
    const b = await s.spawn(A.ring, { idx: 1, pingNext: true }, { placement: { executor: 2 } });
    await a.ask({ type: 'link', next: b });
    await b.ask({ type: 'link', next: a });
    // a asks b (reentrant), b asks a back (same chain): a serves it while it waits.
    await expect(a.ask({ type: 'go' })).resolves.toBe('0>1>pong 0');
    await expect(a.ask({ type: 'go' })).resolves.toBe('0>1>pong 0');
    expect(events.filter((e) => e.type.startsWith('deadlock.'))).toHaveLength(0);
    await accounted(s);
  });

  it('without reentrancy the same call back is a deadlock across executors', async () => {
    const s = await start(2, { strategy: 'fail-ask' });
    const a = await s.spawn(A.ring, { idx: 0 }, { placement: { executor: 1 } });
    const b = await s.spawn(A.ring, { idx: 1, pingNext: true }, { placement: { executor: 2 } });
    await a.ask({ type: 'link', next: b });
    await b.ask({ type: 'link', next: a });
    expect(strip(await a.ask<string>({ type: 'go' }, { timeoutMs: 15_000 }))).toBe('0>1:deadlock');
    await accounted(s);
  });
});

describe('no false positives across executors', () => {
  it('a layered DAG of asks over 3 executors never triggers detection', async () => {
    const s = await start(3, { strategy: 'fail-ask' });
    const events = collect(s);
    const layers: ActorRef<A.LayerMsg>[][] = [];
    let k = 0;
    for (let l = 0; l < 3; l++) {
      const row: ActorRef<A.LayerMsg>[] = [];
      for (let i = 0; i < 4; i++)
        row.push(await s.spawn(A.layer, undefined, { placement: { executor: (k++ % 3) + 1 } }));
      layers.push(row);
    }
    for (let l = 0; l < 2; l++)
      for (const r of layers[l]!) await r.ask({ type: 'below', refs: layers[l + 1]! });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, n) =>
        layers[0]![n % 4]!.ask<number>({ type: 'work', n }, { timeoutMs: 15_000 }),
      ),
    );
    expect(answers.filter((a) => a !== 1 + 4 * (1 + 4))).toEqual([]);
    expect(events.filter((e) => e.type.startsWith('deadlock.'))).toHaveLength(0);
    await accounted(s);
  });

  it('alternating asks between two executors (stale edges in flight) are never reported', async () => {
    const s = await start(2, { strategy: 'fail-ask' });
    const events = collect(s);
    const a = await s.spawn(A.ring, { idx: 0 }, { placement: { executor: 1 } });
    const b = await s.spawn(A.ring, { idx: 1 }, { placement: { executor: 2 } });
    for (let i = 0; i < 300; i++) {
      const [x, y] = await Promise.all(
        [a.ask({ type: 'ask', to: b }), b.ask({ type: 'ask', to: a })].map((p) => p.catch((e) => e)),
      );
      // Both ask at once: a real cycle each round unless one ask finished first; whatever happens, only confirmed cycles fail.
      for (const r of [x, y]) expect(typeof r === 'string' || isDeadlockError(r)).toBe(true);
    }
    const detected = events.filter((e) => e.type === 'deadlock.detected').length;
    const failed = events.filter((e) => e.type === 'deadlock.resolved').length;
    expect(detected).toBe(failed);
    await accounted(s);
    const report = await s.shutdown();
    expect(report).toBeDefined();
  });
});
