/**
 * Deadlock detection across executors (issue 6, target ≤ 10 ms):
 * 1. Latency, end to end: a ring of n actors, one per executor round-robin,
 *    asks around until the last one's ask closes the cycle; measured on that
 *    actor's thread from its `ctx.ask` call to the DeadlockError caught in
 *    its handler (forward the edge → main-thread search → confirmation round
 *    → action → rejection). Also the main thread's `resolveMs` (cycle
 *    confirmed → action sent).
 * 2. Cost of forwarding: acyclic cross-executor ask traffic (a 3-layer fan-out
 *    DAG) with detection off (`timeout-only`) vs on (`fail-ask`), wall time.
 *
 * Run: node --conditions=@troupe/source --import tsx packages/runtime/bench/deadlock-threaded.ts
 * (ROUNDS=… for more cycles per case). Timings are reported, never asserted.
 */
import { type ActorRef, type ActorSystem, type AnyTroupeEvent, createSystem } from '@troupe/runtime';
import type * as A from '../../../test/fixtures/deadlock-plain.ts';
import { layer, ring } from '../../../test/fixtures/deadlock-plain.ts';

const actors = new URL('../../../test/fixtures/deadlock-plain.ts', import.meta.url);
const ROUNDS = Number(process.env.ROUNDS ?? 200);
const DAG_ASKS = Number(process.env.DAG_ASKS ?? 2000);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const fmt = (xs: number[]) =>
  `p50 ${pct(xs, 50).toFixed(2)}  p95 ${pct(xs, 95).toFixed(2)}  p99 ${pct(xs, 99).toFixed(2)}  max ${Math.max(...xs).toFixed(2)} ms`;

async function system(executors: number, strategy: string): Promise<ActorSystem> {
  return createSystem({
    actors,
    executors,
    topology: { groups: Array.from({ length: executors }, (_, i) => [i]) },
    deadlock: { strategy },
  });
}

async function latency(n: number, executors: number): Promise<void> {
  const s = await system(executors, 'fail-ask');
  const resolveMs: number[] = [];
  s.events$.subscribe((e: AnyTroupeEvent & { resolveMs?: number }) => {
    if (e.type === 'deadlock.resolved') resolveMs.push(e.resolveMs!);
  });
  const refs: ActorRef<A.RingMsg>[] = [];
  for (let i = 0; i < n; i++)
    refs.push(await s.spawn(ring, { idx: i }, { placement: { executor: (i % executors) + 1 } }));
  for (let i = 0; i < n; i++) await refs[i]!.ask({ type: 'link', next: refs[(i + 1) % n]! });
  const endToEnd: number[] = [];
  for (let r = 0; r < ROUNDS + 10; r++) {
    const answer = await refs[0]!.ask<string>({ type: 'go' }, { timeoutMs: 10_000 });
    const m = /:deadlock@([\d.]+)$/.exec(answer);
    if (m === null) throw new Error(`round ${r}: no deadlock in ${answer}`);
    if (r >= 10) endToEnd.push(Number(m[1])); // the first rounds warm up (JIT, channels)
  }
  console.log(
    `cycle of ${String(n).padStart(2)} over ${executors} executors: closing ask → DeadlockError ${fmt(endToEnd)}`,
  );
  console.log(`${' '.repeat(34)}main thread resolveMs ${fmt(resolveMs.slice(10))}`);
  await s.terminateExecutors();
}

async function dag(strategy: string): Promise<number> {
  const s = await system(3, strategy);
  const layers: ActorRef<A.LayerMsg>[][] = [];
  let k = 0;
  for (let l = 0; l < 3; l++) {
    const row: ActorRef<A.LayerMsg>[] = [];
    for (let i = 0; i < 4; i++)
      row.push(await s.spawn(layer, undefined, { placement: { executor: (k++ % 3) + 1 } }));
    layers.push(row);
  }
  for (let l = 0; l < 2; l++)
    for (const r of layers[l]!) await r.ask({ type: 'below', refs: layers[l + 1]! });
  const run = () =>
    Promise.all(
      Array.from({ length: DAG_ASKS }, (_, n) => layers[0]![n % 4]!.ask<number>({ type: 'work', n })),
    );
  await run(); // warm-up
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  await s.terminateExecutors();
  // Each top-level ask fans out to 4 + 16 asks between executors.
  return (DAG_ASKS * 21) / (ms / 1000);
}

await latency(2, 2);
await latency(3, 3);
await latency(12, 3);
const off: number[] = [];
const on: number[] = [];
for (let i = 0; i < 5; i++) {
  off.push(await dag('timeout-only'));
  on.push(await dag('fail-ask'));
}
const med = (xs: number[]) => pct(xs, 50);
console.log(
  `acyclic cross-executor asks (3 executors): off ${Math.round(med(off))}/s, on ${Math.round(med(on))}/s (${((1 - med(on) / med(off)) * 100).toFixed(1)}% slower)`,
);
