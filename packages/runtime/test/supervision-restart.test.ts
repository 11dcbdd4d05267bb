import { type ActorRef, isEscalatedError, isInitFailedError, supervisor } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { IntensityWindow } from '../src/features/supervision/intensity.ts';
import { backoffDelay, resolveBackoff } from '../src/kernel/backoff.ts';
import {
  countOf,
  Fragile,
  makeSystem,
  ofType,
  seeded,
  settle,
  Worker,
  workerOf,
} from './supervision-helpers.ts';

describe('intensity window', () => {
  it('lets exactly maxRestarts through inside the window; one more exceeds (OTP add_restart)', () => {
    const w = new IntensityWindow({ maxRestarts: 3, withinMs: 1000 });
    expect([w.add(0), w.add(10), w.add(20)]).toEqual([true, true, true]);
    expect(w.add(30)).toBe(false);
  });

  it('slides: a restart exactly withinMs old still counts, one ms older does not', () => {
    const w = new IntensityWindow({ maxRestarts: 1, withinMs: 1000 });
    expect(w.add(0)).toBe(true);
    expect(w.add(1000)).toBe(false);
    const v = new IntensityWindow({ maxRestarts: 1, withinMs: 1000 });
    expect(v.add(0)).toBe(true);
    expect(v.add(1001)).toBe(true);
  });

  it('in a tree: maxRestarts failures are restarted, the next one escalates', async () => {
    const { system, clock, events } = await makeSystem();
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 3, withinMs: 1000 },
        children: [{ id: 'w', actor: Worker }],
      }),
    );
    const w = await workerOf(tree, 'w');
    for (let i = 0; i < 3; i++) {
      w.tell({ type: 'boom' });
      await settle();
      clock.advance(100);
    }
    expect(ofType(events, 'supervisor.child-restarted')).toHaveLength(3);
    expect(ofType(events, 'supervisor.escalated')).toHaveLength(0);
    w.tell({ type: 'boom' });
    const failure = await tree.whenFailed();
    expect(ofType(events, 'supervisor.intensity-exceeded')).toMatchObject([
      { supervisorId: 'app', child: 'w', maxRestarts: 3, withinMs: 1000 },
    ]);
    expect(ofType(events, 'supervisor.escalated')).toMatchObject([{ reason: 'intensity' }]);
    expect(isEscalatedError(failure.error) && failure.error.context.reason).toBe('intensity');
  });

  it('in a tree: failures spread wider than the window never escalate', async () => {
    const { system, clock, events } = await makeSystem();
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 1, withinMs: 1000 },
        children: [{ id: 'w', actor: Worker }],
      }),
    );
    const w = await workerOf(tree, 'w');
    for (let i = 0; i < 5; i++) {
      w.tell({ type: 'boom' });
      await settle();
      clock.advance(1001);
    }
    expect(ofType(events, 'supervisor.child-restarted')).toHaveLength(5);
    expect(ofType(events, 'supervisor.escalated')).toHaveLength(0);
    await system.shutdown();
  });
});

describe('backoff', () => {
  it('computes exponential delays capped at maxMs', () => {
    const b = resolveBackoff({ minMs: 100, maxMs: 1000, factor: 2 }, 'backoff');
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(b, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('keeps jitter within [base, base * (1 + jitter))', () => {
    const b = resolveBackoff(
      { minMs: 10, maxMs: 5000, factor: 3, jitter: 0.25, random: seeded(7) },
      'backoff',
    );
    for (let n = 0; n < 200; n++) {
      const base = Math.min(5000, 10 * 3 ** (n % 10));
      const d = backoffDelay(b, n % 10);
      expect(d).toBeGreaterThanOrEqual(base);
      expect(d).toBeLessThan(base * 1.25);
    }
  });

  it('restarts exactly after the delay on the simulated clock, growing, then resetting after calm', async () => {
    const { system, clock, events } = await makeSystem();
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 100, withinMs: 1000 },
        backoff: { minMs: 100, maxMs: 400, factor: 2, resetAfterMs: 5000 },
        children: [{ id: 'w', actor: Worker }],
      }),
    );
    const w = await workerOf(tree, 'w');
    const status = async () => (await tree.children())[0]?.status;
    for (const expected of [100, 200, 400, 400]) {
      w.tell({ type: 'boom' });
      w.tell({ type: 'work' });
      await settle();
      expect(await status()).toBe('restarting');
      clock.advance(expected - 1);
      await settle();
      expect(await status()).toBe('restarting');
      clock.advance(1);
      await settle();
      expect(await status()).toBe('running');
      expect(await countOf(w)).toBe(1); // the queued message waited, then ran
    }
    expect(ofType(events, 'supervisor.child-restarted').map((e) => [e.attempt, e.delayMs])).toEqual([
      [1, 100],
      [2, 200],
      [3, 400],
      [4, 400],
    ]);
    clock.advance(5000);
    w.tell({ type: 'boom' });
    await settle();
    expect(ofType(events, 'supervisor.child-restarted')).toHaveLength(4);
    clock.advance(100);
    await settle();
    expect(ofType(events, 'supervisor.child-restarted').at(-1)).toMatchObject({ attempt: 5, delayMs: 100 });
    await system.shutdown();
  });

  it('applies jitter from the injected random source', async () => {
    const { system, clock, events } = await makeSystem();
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 100, withinMs: 1000 },
        backoff: { minMs: 100, maxMs: 1000, jitter: 0.2, random: () => 0.5 },
        children: [{ id: 'w', actor: Worker }],
      }),
    );
    const w = await workerOf(tree, 'w');
    w.tell({ type: 'boom' });
    await settle();
    clock.advance(109);
    await settle();
    expect(ofType(events, 'supervisor.child-restarted')).toHaveLength(0);
    clock.advance(1.001); // 100 · (1 + 0.2 · 0.5), give or take a float ulp
    await settle();
    const restarted = ofType(events, 'supervisor.child-restarted');
    expect(restarted).toHaveLength(1);
    expect(restarted[0]?.delayMs).toBeCloseTo(110, 9);
    await system.shutdown();
  });
});

describe('failures at init', () => {
  it('a child failing at init during the first start fails system.start (OTP)', async () => {
    const { system } = await makeSystem();
    const fail = { count: 1 };
    await expect(
      system.start(supervisor({ id: 'app', children: [{ id: 'f', actor: Fragile, props: { fail } }] })),
    ).rejects.toSatisfy((e) => isEscalatedError(e) && e.context.reason === 'start');
    await system.shutdown();
  });

  it('a restart whose init fails counts toward intensity and is retried with backoff', async () => {
    const { system, clock, events } = await makeSystem();
    const fail = { count: 0 };
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 5, withinMs: 10_000 },
        backoff: { minMs: 10, maxMs: 1000 },
        children: [{ id: 'f', actor: Fragile, props: { fail } }],
      }),
    );
    const f = (await tree.child('f')) as ActorRef<'crash'>;
    fail.count = 2;
    f.tell('crash');
    for (let i = 0; i < 5; i++) {
      await settle();
      clock.advance(1000);
    }
    await settle();
    expect(ofType(events, 'supervisor.child-failed').map((e) => e.context)).toEqual([
      'receive',
      'init',
      'init',
    ]);
    expect(ofType(events, 'supervisor.child-restarted').map((e) => e.delayMs)).toEqual([10, 20, 40]);
    expect((await tree.children())[0]).toMatchObject({ status: 'running', restarts: 3, ref: f });
    await system.shutdown();
  });

  it('a child that always fails at init is not respawned forever: intensity escalates', async () => {
    const { system, clock, events } = await makeSystem();
    const fail = { count: 0 };
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 3, withinMs: 10_000 },
        children: [{ id: 'f', actor: Fragile, props: { fail } }],
      }),
    );
    const f = (await tree.child('f')) as ActorRef<'crash'>;
    fail.count = Number.POSITIVE_INFINITY;
    f.tell('crash');
    const failure = await tree.whenFailed();
    clock.advance(0);
    expect(ofType(events, 'supervisor.child-failed').map((e) => e.context)).toEqual([
      'receive',
      'init',
      'init',
      'init',
    ]);
    expect(ofType(events, 'supervisor.child-restarted')).toHaveLength(3);
    expect(isEscalatedError(failure.error) && failure.error.context.reason).toBe('intensity');
  });

  it('a dynamic child failing at init is refused and not kept', async () => {
    const { system } = await makeSystem();
    const tree = await system.start(supervisor({ id: 'app' }));
    await expect(
      tree.startChild({ id: 'f', actor: 'fragile', props: { fail: { count: 1 } } }),
    ).rejects.toSatisfy((e) => e instanceof Error && e.message === 'init failed');
    expect(await tree.children()).toEqual([]);
    expect(isInitFailedError(new Error())).toBe(false);
    await system.shutdown();
  });
});
