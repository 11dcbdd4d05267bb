/**
 * Shutdown phase 4 on executor threads: a handler stuck in a synchronous loop
 * cannot be interrupted on its thread, so the executor is terminated. The
 * shutdown still completes within its bound and the process keeps no thread.
 */
import { createSystem, type DeadLetter } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { Front, Idle, Spin, Stage } from './fixtures/shutdown-actors.ts';

describe('shutdown on executors', () => {
  it('terminates the executor whose handler hangs synchronously', async () => {
    const system = await createSystem({
      actors: new URL('./fixtures/shutdown-actors.ts', import.meta.url),
      executors: 2,
    });
    const dead: DeadLetter[] = [];
    system.deadLetters$.subscribe((d) => dead.push(d));
    const fronts = await Promise.all(Array.from({ length: 10 }, () => system.spawn(Front, undefined)));
    const spin = await system.spawn(Spin, undefined);
    spin.tell('spin');
    for (let i = 0; i < 10; i++) spin.tell('noop');
    for (let i = 0; i < 1000; i++) fronts[i % 10]!.tell({ type: 'job', id: i, hops: 1 });
    await new Promise((r) => setTimeout(r, 50));
    const timeoutMs = 500;
    const t0 = performance.now();
    const report = await system.shutdown({ timeoutMs });
    const elapsed = performance.now() - t0;
    expect(report.outcome).toBe('forced');
    expect(report.terminatedExecutors).toHaveLength(1);
    // The healthy executor's actors still stopped gracefully: the stuck one did not eat their time.
    expect(report.stopped).toBeGreaterThan(0);
    // Margin measured: 0.28–0.53 s = the kill answer it never gives (KILL_MS, 250 ms), terminating the
    // thread, and sometimes a final stats sync still addressed to it (250 ms).
    expect(elapsed).toBeLessThan(timeoutMs + 1000);
    expect(report.phases.map((p) => p.phase)).toContain('terminate');
    // What the terminated executor still held is dead-lettered, not lost from the books.
    const s = report.stats;
    expect(s.sent).toBe(s.processed + s.deadLettered.total);
    expect(s.deadLettered.byReason.shutdown).toBeGreaterThan(0);
  });

  it('a stuck executor does not cost the healthy one its graceful stop, and its culprit is named', async () => {
    const system = await createSystem({
      actors: new URL('./fixtures/shutdown-actors.ts', import.meta.url),
      executors: 2,
      stealing: false,
    });
    const idle = await Promise.all(
      Array.from({ length: 10 }, () => system.spawn(Idle, undefined, { placement: { executor: 2 } })),
    );
    const spin = await system.spawn(Spin, undefined, { placement: { executor: 1 } });
    spin.tell('spin');
    spin.tell('noop');
    for (const a of idle) a.tell('noop');
    await new Promise((r) => setTimeout(r, 50));
    const report = await system.shutdown({ timeoutMs: 4000 });
    // Every idle actor on the healthy executor stopped gracefully (onStop ran), none was killed;
    // the spinning one is forced, named as the actor running when its executor was terminated.
    expect(report.forced).toEqual([
      { actor: { id: spin.id, def: 'shutdown-spin' }, cause: 'executor-terminated', onStop: 'none' },
    ]);
    expect(report.terminatedExecutors).toEqual([1]);
    expect(report.stopped).toBe(10);
    expect(report.outcome).toBe('forced');
    // The message it hung on and the one it never got to are dead-lettered, not lost from the books.
    expect(report.deadLettered).toEqual({ shutdown: 2 });
    expect(report.stats.sent).toBe(report.stats.processed + report.stats.deadLettered.total);
    expect(report.stats.actors).toBe(0);
  });

  it("stats() after shutdown equal the report: executors' counters outlive their threads", async () => {
    const system = await createSystem({
      actors: new URL('./fixtures/shutdown-actors.ts', import.meta.url),
      executors: 2,
    });
    const stages = await Promise.all(Array.from({ length: 4 }, () => system.spawn(Stage, undefined)));
    for (let i = 0; i < 1001; i++) stages[i % 4]!.tell({ type: 'job', id: i, hops: 0 });
    const report = await system.shutdown({ timeoutMs: 20_000 });
    expect(report.stats).toMatchObject({ sent: 1001, processed: 1001, inFlight: 0, actors: 0 });
    expect(system.stats()).toEqual(report.stats);
  });
});
