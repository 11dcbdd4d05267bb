/**
 * Task pools (issue 20): Troupe's `system.pool` beside Piscina on the same
 * task module and thread count.
 * - `tasks`: 100,000 small tasks (~10 µs each) submitted at once. Check: the
 *   sum of the answers equals the sequential loop's.
 * - `task-latency`: 10,000 no-op tasks one after another (submit, await):
 *   the round trip alone. Check: the sum of the inputs.
 * - `task-priority`: high-priority submit→start latency while a flood of
 *   low-priority tasks is queued (Troupe only: Piscina's queue is FIFO).
 */
import os from 'node:os';
import { type ActorSystem, createSystem, type Pool } from '@troupe/runtime';
import { Piscina } from 'piscina';
import { piscinaContender } from '../lib/piscina-contender.ts';
import { poolContender, poolRoundTrips } from '../lib/pool-contender.ts';
import { type Contender, check, type SuiteContext, timed, type Workload } from '../lib/types.ts';
import { small } from './tasks.task.ts';

const taskFile = new URL('./tasks.task.ts', import.meta.url);

interface P {
  tasks: number;
}

const inputs = (p: P) => Array.from({ length: p.tasks }, (_, i) => i);
const expected = new Map<number, number>();
function want(p: P): number {
  let w = expected.get(p.tasks);
  if (w === undefined) {
    w = 0;
    for (let i = 0; i < p.tasks; i++) w += small(i);
    expected.set(p.tasks, w);
  }
  return w;
}

export const tasks: Workload<P> = {
  name: 'tasks',
  title: 'Small tasks (pool)',
  unit: 'tasks',
  params: (quick) => ({ tasks: quick ? 2_000 : 100_000 }),
  describe: (p) => `${p.tasks.toLocaleString('en-US')} tasks of ~10 µs`,
  units: (p) => p.tasks,
  contenders(p, ctx: SuiteContext): Contender[] {
    const out: Contender[] = [];
    if (ctx.executorModes.includes(2))
      out.push(
        poolContender(
          taskFile,
          () => inputs(p),
          (sum) => check('tasks', 'troupe', want(p), sum),
        ),
      );
    out.push(
      piscinaContender(
        taskFile,
        () => inputs(p),
        (sum) => check('tasks', 'piscina', want(p), sum),
      ),
    );
    out.push({
      system: 'limit',
      mode: 'single loop, this thread',
      async run() {
        let sum = 0;
        const ms = await timed(() => {
          for (let i = 0; i < p.tasks; i++) sum += small(i);
        });
        check('tasks', 'limit', want(p), sum);
        return ms;
      },
    });
    return out;
  },
};

const threads = os.availableParallelism();

function piscinaRoundTrips(n: number): Contender {
  let pool: Piscina | null = null;
  return {
    system: 'piscina',
    mode: `${threads} threads`,
    async run() {
      pool ??= new Piscina({
        filename: taskFile.href,
        name: 'noop',
        minThreads: threads,
        maxThreads: threads,
      });
      const pl = pool;
      let sum = 0;
      const ms = await timed(async () => {
        for (let i = 0; i < n; i++) sum += (await pl.run(i)) as number;
      });
      check('task-latency', 'piscina', (n * (n - 1)) / 2, sum);
      return ms;
    },
    async close() {
      await pool?.destroy();
    },
  };
}

export const taskLatency: Workload<P> = {
  name: 'task-latency',
  title: 'No-op task round trip (pool)',
  unit: 'round trips',
  params: (quick) => ({ tasks: quick ? 200 : 10_000 }),
  describe: (p) => `${p.tasks.toLocaleString('en-US')} sequential no-op tasks`,
  units: (p) => p.tasks,
  contenders(p, ctx: SuiteContext): Contender[] {
    const out: Contender[] = [];
    if (ctx.executorModes.includes(2))
      out.push(poolRoundTrips(new URL('./tasks-noop.task.ts', import.meta.url), p.tasks));
    out.push(piscinaRoundTrips(p.tasks));
    return out;
  },
};

/**
 * Priority under flood: with `flood` low-priority no-op tasks queued, `probes` high-priority
 * tasks are submitted one after another; each answers when it started (shared wall clock).
 * Reported: the high-priority submit→start latency p50 / p99 (the target: p99 ≤ 5 ms).
 */
function priorityFlood(flood: number, probes: number, executors = 2): Contender {
  let made: Promise<{ system: ActorSystem; pool: Pool<number, number> }> | null = null;
  let latencies: number[] = [];
  return {
    system: 'troupe',
    mode: `pool, ${executors} executors`,
    async run() {
      made ??= (async () => {
        const system = await createSystem({ executors });
        const pool = await system.pool<number, number>(
          { module: taskFile, export: 'stamp' },
          { max: executors, priorities: { levels: 2, agingMs: false } },
        );
        return { system, pool };
      })();
      const { pool } = await made;
      latencies = [];
      const ms = await timed(async () => {
        const low = Array.from({ length: flood }, (_, i) => pool.submit(i));
        for (let i = 0; i < probes; i++) {
          const at = performance.timeOrigin + performance.now();
          latencies.push((await pool.submit(i, { priority: 1 })) - at);
        }
        await Promise.all(low);
      });
      if (pool.stats().pendingTasks !== 0) throw new Error('priority flood: tasks left pending');
      return ms;
    },
    details() {
      const s = [...latencies].sort((a, b) => a - b);
      const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
      return `high-priority start p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms`;
    },
    async close() {
      if (made === null) return;
      const { system, pool } = await made;
      await pool.close();
      await system.shutdown({ timeoutMs: 5000 });
    },
  };
}

export const taskPriority: Workload<P> = {
  name: 'task-priority',
  title: 'Priority under flood (pool)',
  unit: 'tasks',
  params: (quick) => ({ tasks: quick ? 5_000 : 100_000 }),
  describe: (p) => `${p.tasks.toLocaleString('en-US')} low-priority tasks queued, 100 high-priority probes`,
  units: (p) => p.tasks + 100,
  contenders(p, ctx: SuiteContext): Contender[] {
    return ctx.executorModes.includes(2) ? [priorityFlood(p.tasks, 100)] : [];
  },
};
