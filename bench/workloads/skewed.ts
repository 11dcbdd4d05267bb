/**
 * Skewed load (issue 5, threaded modes): every worker starts on one
 * executor; compare stealing on and off with 2 executors, and in-thread as
 * the baseline. Without executor threads in this build only the in-thread
 * baseline runs (the suite prints why).
 */
import { bareThreadsContender } from '../lib/bare-threads.ts';
import { modeName, pollResult, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, type Workload, WrongAnswer } from '../lib/types.ts';
import { Join, type JoinResult } from './common.actors.ts';
import { SkewSpawner } from './skewed.actors.ts';
import { area } from './trapezoid.task.ts';

interface P {
  workers: number;
  messages: number;
  pieces: number;
}

/** Scheduler counters after the last run, per mode: the steals explain the times. */
const scheduling = new Map<string, string>();
const runsSeen: Record<string, number> = {};

async function troupe(p: P, executors: number, extra: Record<string, unknown>): Promise<number> {
  return withSystem(
    executors,
    async ({ system, spawn }) => {
      const join = await spawn(Join, { expect: p.workers });
      const spawner = await spawn(SkewSpawner, undefined);
      const t0 = performance.now();
      spawner.tell({ type: 'run', join, ...p });
      const r = await pollResult<JoinResult>(join, executors);
      const ms = performance.now() - t0;
      check('skewed', 'troupe', p.workers * p.messages, r.sum);
      const key = `${executors} ${JSON.stringify(extra)}`;
      const e = system.metrics().executors;
      const sum = (f: (x: (typeof e)[number]) => number) => e.reduce((a, x) => a + f(x), 0);
      const n = (runsSeen[key] ?? 0) + 1;
      runsSeen[key] = n;
      scheduling.set(
        key,
        `after ${n} runs on this system: ` +
          `${sum((x) => x.stealAttempts)} steal attempts, ${sum((x) => x.stealSuccesses)} successes, ` +
          `${sum((x) => x.migrations)} migrations; tasks per executor ${e.map((x) => x.tasksCompleted).join(' / ')}`,
      );
      return ms;
    },
    extra,
  );
}

export const skewed: Workload<P> = {
  name: 'skewed',
  title: 'Skewed load',
  unit: 'msgs',
  params: (quick) =>
    quick ? { workers: 4, messages: 10, pieces: 200 } : { workers: 32, messages: 100, pieces: 1_000 },
  describe: (p) =>
    `${p.workers} workers spawned on one executor, ${p.messages} slices of ${p.pieces.toLocaleString('en-US')} pieces each`,
  units: (p) => p.workers * p.messages,
  contenders(p, ctx: SuiteContext): Contender[] {
    const out: Contender[] = [{ system: 'troupe', mode: modeName(0), run: () => troupe(p, 0, {}) }];
    if (ctx.executorModes.includes(2))
      for (const stealing of [true, false])
        out.push({
          system: 'troupe',
          mode: `${modeName(2)}, stealing ${stealing ? 'on' : 'off'}`,
          run: () => troupe(p, 2, { stealing }),
          details: () => scheduling.get(`2 ${JSON.stringify({ stealing })}`),
        });
    // The same slices on two plain threads, split evenly up front: what two cores give here at best.
    const slice = { l: 1, r: 2, h: 1 / p.pieces };
    const n = p.workers * p.messages;
    out.push(
      bareThreadsContender(
        new URL('./trapezoid.task.ts', import.meta.url),
        () => Array.from({ length: n }, () => slice),
        (sum) => {
          const want = n * area(slice.l, slice.r, slice.h);
          if (!(Math.abs(sum - want) <= 1e-9 * Math.abs(want)))
            throw new WrongAnswer('skewed', 'limit', want, sum);
        },
      ),
    );
    return out;
  },
};
