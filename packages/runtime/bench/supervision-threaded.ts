/**
 * Restart latency with and without executors: failure → the restarted child
 * answers an ask sent from the main thread right behind the failing message,
 * next to the same tell+ask without a failure. The tree runs in-thread
 * (`executors: 0`) or on one of 2 executors (executors/tree-threaded.ts).
 *
 * Run: node --conditions=@troupe/source --import tsx packages/runtime/bench/supervision-threaded.ts [N]
 *
 * Prints one line per mode (median and p99 of N rounds). Timings are
 * reported, never asserted.
 */
import { type ActorRef, createSystem } from '@troupe/runtime';
import type { FlakyMsg } from '../../../test/fixtures/supervision-actors.ts';

const actors = new URL('../../../test/fixtures/supervision-actors.ts', import.meta.url);
const N = Number(process.argv[2] ?? 2000);

async function rounds(a: ActorRef<FlakyMsg>, fail: boolean): Promise<string> {
  const xs: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    a.tell({ type: fail ? 'boom' : 'inc' });
    await a.ask({ type: 'get' });
    xs.push(performance.now() - t0);
  }
  xs.sort((x, y) => x - y);
  const us = (q: number) => (xs[Math.min(N - 1, Math.floor(N * q))]! * 1000).toFixed(0);
  return `median ${us(0.5)} µs, p99 ${us(0.99)} µs`;
}

for (const executors of [0, 2]) {
  const s = await createSystem({ actors, executors, topology: { groups: [[0], [1]] } });
  const h = await s.start({
    id: 'bench',
    intensity: { maxRestarts: N * 10, withinMs: 60_000 },
    children: [{ id: 'a', actor: 'flaky', placement: 'local' }],
  });
  const a = (await h.child<FlakyMsg>('a'))!;
  await rounds(a, false); // warm-up
  const ok = await rounds(a, false);
  const fail = await rounds(a, true);
  console.log(
    `executors=${executors}: tell+ask without failure ${ok}; failure → restarted child answers ${fail}`,
  );
  await s.shutdown();
}
