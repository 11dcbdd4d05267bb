/**
 * Shutdown phase 4 on executor threads: a handler stuck in a synchronous loop
 * cannot be interrupted on its thread, so the executor is terminated. The
 * shutdown still completes within its bound and the process keeps no thread.
 */
import { createSystem, type DeadLetter } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { Front, Spin, Stage } from './fixtures/shutdown-actors.ts';

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
