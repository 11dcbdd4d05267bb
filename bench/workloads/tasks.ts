/**
 * Task pools (issue 20): Troupe's `system.pool` beside Piscina on the same
 * task module and thread count.
 * - `tasks`: 100,000 small tasks (~10 µs each) submitted at once. Check: the
 *   sum of the answers equals the sequential loop's.
 * - `task-latency`: 10,000 no-op tasks one after another (submit, await):
 *   the round trip alone. Check: the sum of the inputs.
 */
import os from 'node:os';
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
