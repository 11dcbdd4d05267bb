/**
 * Shutdown reports the same in both modes (in-thread, executors): each
 * actor's own shutdownMs (a spawn option) bounds its stop, an overrun is
 * killed with that cause, and a forced actor's onStop is reported — skipped
 * or abandoned — never left to run after the report.
 */
import { createSystem, type ForcedActor } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { Idle, SlowStop, StuckStop } from './fixtures/shutdown-actors.ts';

const actors = new URL('./fixtures/shutdown-actors.ts', import.meta.url);
const byDef = (a: ForcedActor, b: ForcedActor) => a.actor.def.localeCompare(b.actor.def);

describe.each([0, 2])('shutdown with %i executors', (executors) => {
  it('kills each overrun at its own shutdownMs and reports what became of its onStop', async () => {
    const system = await createSystem({ actors, executors });
    for (let i = 0; i < 4; i++) await system.spawn(Idle, undefined);
    const slow = await system.spawn(SlowStop, undefined, { shutdownMs: 200 });
    const stuck = await system.spawn(StuckStop, undefined, { shutdownMs: 200 });
    stuck.tell('work');
    await system.syncStats(); // executors: a round trip, so the work message has arrived
    await new Promise((r) => setImmediate(r));
    // The stuck handler never drains: give the drain 100 ms, the stop phase the rest of 10 s.
    const report = await system.shutdown({ timeoutMs: 10_000, drainTimeoutMs: 100 });
    expect([...report.forced].sort(byDef)).toEqual([
      { actor: slow.toJSON(), cause: 'shutdown-timeout', onStop: 'abandoned' },
      { actor: stuck.toJSON(), cause: 'shutdown-timeout', onStop: 'skipped' },
    ]);
    expect(report.stopped).toBe(4);
    // Each 200 ms budget ran alongside the others: far below the 10 s deadline.
    expect(report.durationMs).toBeLessThan(5000);
    expect(report.phases.find((p) => p.phase === 'drain')).toMatchObject({ timedOut: true });
    expect(report.outcome).toBe('forced');
    expect(report.deadLettered).toEqual({ shutdown: 1 }); // the stuck actor's pending message
    expect(report.stats.sent).toBe(report.stats.processed + report.stats.deadLettered.total);
  });
});
