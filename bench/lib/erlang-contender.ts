/**
 * The Erlang peer as a contender: every workload that has an Erlang twin in
 * bench/erlang/savina_bench.erl runs it the same way — the function named
 * after the workload, timed inside the VM (µs → ms), its check value
 * compared with the same expected answer the other systems must produce.
 */
import { type Contender, check, type SuiteContext } from './types.ts';

/** One Erlang contender when the peer is present, none otherwise (spread into the list). */
export function erlangContenders(
  ctx: SuiteContext,
  workload: string,
  args: readonly number[],
  expected: number,
): Contender[] {
  const erl = ctx.erlang;
  if (!erl) return [];
  return [
    {
      system: 'erlang',
      mode: erl.mode,
      run: async () => {
        const r = await erl.call(workload, args);
        check(workload, 'erlang', expected, r.check);
        return r.micros / 1000;
      },
    },
  ];
}
