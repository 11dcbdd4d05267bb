/**
 * Skewed load, stealing on vs off: every actor is placed on executor 1 and
 * gets CPU-bound messages; with stealing, idle executors take ready actors
 * (their own group first). Reports wall time, speedup and the steal metrics.
 *
 *   node --conditions=@troupe/source --import tsx packages/scheduler/bench/skew.ts [executors] [actors] [msgs] [us]
 */
import { createSystem } from '@troupe/runtime';
import * as A from './actors.ts';

const EXECUTORS = Number(process.argv[2] ?? 2);
const ACTORS = Number(process.argv[3] ?? 32);
const MSGS = Number(process.argv[4] ?? 40);
const US = Number(process.argv[5] ?? 250);

async function run(stealing: boolean) {
  const system = await createSystem({
    actors: new URL('./actors.ts', import.meta.url),
    executors: EXECUTORS,
    stealing,
  });
  const refs = await Promise.all(
    Array.from({ length: ACTORS }, () => system.spawn(A.spinner, undefined, { placement: { executor: 1 } })),
  );
  const t0 = performance.now();
  for (let k = 0; k < MSGS; k++) for (const r of refs) r.tell({ type: 'spin', us: US });
  await Promise.all(refs.map((r) => r.ask({ type: 'get' }, { timeoutMs: 120_000 })));
  const ms = performance.now() - t0;
  const m = system.metrics();
  await system.shutdown();
  return { ms, m };
}

const work = (ACTORS * MSGS * US) / 1000;
console.log(
  `${EXECUTORS} executors, ${ACTORS} actors on executor 1, ${MSGS} × ${US} µs each (${work.toFixed(0)} ms of work)`,
);
const off = await run(false);
const on = await run(true);
const sum = (k: 'stealSuccesses' | 'stealAttempts' | 'migrations' | 'numaCrossings') =>
  on.m.executors.reduce((n, e) => n + e[k], 0);
console.log(`stealing off: ${off.ms.toFixed(0)} ms`);
console.log(
  `stealing on:  ${on.ms.toFixed(0)} ms  (speedup ${(off.ms / on.ms).toFixed(2)}×; steals ${sum('stealSuccesses')}/${sum('stealAttempts')} attempts, ${sum('migrations')} migrations, ${sum('numaCrossings')} NUMA crossings)`,
);
const turns = on.m.executors.map((e) => e.tasksCompleted);
const total = turns.reduce((a, b) => a + b, 0);
console.log(
  `work split (on): ${turns.join(' / ')} turns → speedup bound on free cores ${(total / Math.max(...turns)).toFixed(2)}×`,
);
console.log(
  'per executor (on):',
  on.m.executors
    .map((e) => `#${e.id} g${e.group} tasks=${e.tasksCompleted} util=${e.workerUtilization.toFixed(2)}`)
    .join('; '),
);
