/**
 * A batch job on a task pool (`system.pool`): 200 CPU-bound jobs on two
 * executor threads, urgent ones at a higher priority, starts rate-limited,
 * with a progress line from `pool.stats()`.
 *
 *   node --conditions=@troupe/source --import tsx examples/pool/main.ts
 */
import { createSystem } from '@troupe/runtime';

const system = await createSystem({ executors: 2 });
const pool = await system.pool<{ name: string; n: number }, { name: string; primes: number }>(
  new URL('./tasks.ts', import.meta.url),
  {
    name: 'primes',
    priorities: { levels: 2, agingMs: 500 }, // 1: urgent; a routine job waits at most ~500 ms behind them
    rateLimit: { perSecond: 2000, burst: 50 },
    queue: { capacity: 1000, whenFull: 'wait' },
    timeoutMs: 10_000,
  },
);

const jobs = Array.from({ length: 200 }, (_, i) => ({ name: `job-${i}`, n: 20_000 + (i % 7) * 5_000 }));
const progress = setInterval(() => {
  const s = pool.stats();
  process.stdout.write(
    `\r${s.completedTasks}/${jobs.length} done, ${s.queuedTasks} queued (urgent ${s.queuedByPriority[1]}), ` +
      `${s.activeWorkers}/${s.workers} workers busy, p99 wait ${s.waitTimeMs.p99.toFixed(1)} ms`,
  );
}, 50);

const started = performance.now();
const results = await Promise.all(
  jobs.map((job, i) => pool.submit(job, { priority: i % 10 === 0 ? 1 : 0, id: job.name })),
);
clearInterval(progress);
const total = results.reduce((a, r) => a + r.primes, 0);
const report = await pool.close();
console.log(
  `\n${results.length} jobs, ${total} primes in ${(performance.now() - started).toFixed(0)} ms; ` +
    `drained: ${report.drained}, failed: ${report.stats.failedTasks}`,
);
await system.shutdown();
