import { createSystem, defineActor, SimulatedClock, supervisor } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { drive, expectAccounted, tick } from './shutdown-helpers.ts';

const log: string[] = [];

const Worker = defineActor('sds-worker', {
  init: (p: { name: string }) => p,
  receive: (s, _m: 'work') => s,
  onStop(s) {
    log.push(s.name);
  },
});

/** onStop never completes: its supervisor kills it after the child spec's shutdownMs. */
const Stuck = defineActor('sds-stuck', {
  init: (p: { name: string }) => p,
  receive: (s) => s,
  onStop: () => new Promise<void>(() => {}),
});

describe('shutdown of supervision trees', () => {
  it('stops trees newest first, children in reverse start order, each within its shutdownMs', async () => {
    log.length = 0;
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    await system.start(
      supervisor({
        id: 'app',
        strategy: 'one-for-one',
        children: [
          { id: 'db', actor: Worker, props: { name: 'db' } },
          { id: 'stuck', actor: Stuck, props: { name: 'stuck' }, shutdownMs: 300 },
          {
            id: 'jobs',
            supervisor: {
              strategy: 'one-for-one',
              children: [
                { id: 'j1', actor: Worker, props: { name: 'j1' } },
                { id: 'j2', actor: Worker, props: { name: 'j2' } },
              ],
            },
          },
        ],
      }),
    );
    const later = system.spawnSync(Worker, { name: 'plain-later' });
    later.tell('work');
    await tick();
    const report = await drive(system.shutdown({ timeoutMs: 5000 }), clock, 10);
    // The plain actor started last stops first; inside the tree: jobs (j2, j1), stuck (killed), db.
    expect(log).toEqual(['plain-later', 'j2', 'j1', 'db']);
    expect(report.forced).toEqual([
      {
        actor: expect.objectContaining({ def: 'sds-stuck' }),
        cause: 'shutdown-timeout',
        onStop: 'abandoned',
      },
    ]);
    expect(report.durationMs).toBeGreaterThanOrEqual(300);
    expect(report.durationMs).toBeLessThanOrEqual(310);
    expect(report.outcome).toBe('forced');
    expect(system.stats().actors).toBe(0);
    expectAccounted(system.stats());
  });

  it('completes during a restart storm under a supervisor with backoff', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const Crashy = defineActor('sds-crashy', {
      init: () => 0,
      onStart(n, ctx) {
        ctx.self.tell('again');
        return n;
      },
      receive(n: number, m: 'again') {
        throw new Error(`crash on ${m} ${n}`);
      },
    });
    await system.start(
      supervisor({
        id: 'storm',
        intensity: { maxRestarts: 1_000_000, withinMs: 1000 },
        backoff: { minMs: 1, maxMs: 5, factor: 2, jitter: 0, resetAfterMs: 10 },
        children: Array.from({ length: 5 }, (_, i) => ({ id: `c${i}`, actor: Crashy })),
      }),
    );
    for (let i = 0; i < 50; i++) {
      clock.advance(2);
      await tick();
    }
    expect(system.stats().deadLettered.byReason.failed).toBeGreaterThan(50); // the storm is on
    const report = await drive(system.shutdown({ timeoutMs: 400 }), clock, 5);
    expect(report.durationMs).toBeLessThanOrEqual(405);
    expect(system.stats().actors).toBe(0);
    expectAccounted(system.stats());
    expect(clock.pending).toBe(0);
  });
});
