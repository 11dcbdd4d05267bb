/**
 * Actors shared by several workloads. `Join` collects completion reports:
 * it counts `add` messages and sums their values, and answers a `result` ask
 * with `{ count, sum }` once `expect` reports arrived (undefined before), which
 * is how the main thread learns a run is over in every mode.
 */
import { defineActor } from '@troupe/runtime';

export const RESULT = Object.freeze({ type: 'result' as const });

export type JoinMsg = { readonly type: 'add'; readonly value: number } | typeof RESULT;
export interface JoinResult {
  count: number;
  sum: number;
}

export const Join = defineActor('bench.join', {
  init: (props: { expect: number }) => ({ expect: props.expect, count: 0, sum: 0 }),
  receive(s, msg: JoinMsg, ctx) {
    if (msg.type === 'add') {
      // Savina actors mutate their fields; returning the same object keeps that cost model.
      s.count++;
      s.sum += msg.value;
    } else ctx.reply(s.count >= s.expect ? { count: s.count, sum: s.sum } : undefined);
    return s;
  },
});
