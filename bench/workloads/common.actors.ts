/**
 * Actors shared by several workloads. `Join` collects completion reports:
 * it counts `add` messages and sums their values, and answers a `result` ask
 * with `{ count, sum }` once `expect` reports arrived (undefined before), which
 * is how the main thread learns a run is over in every mode.
 */
import { type ActorContext, defineActor, type PendingReply } from '@troupe/runtime';

export const RESULT = Object.freeze({ type: 'result' as const });

export type JoinMsg = { readonly type: 'add'; readonly value: number } | typeof RESULT;
export interface JoinResult {
  count: number;
  sum: number;
}

/**
 * Answers a `result` ask now when `value` is ready, else defers it into
 * `waiting` (`answerWaiting` gives it once it is).
 */
export function answerOrDefer(ctx: ActorContext, waiting: PendingReply[], value: unknown): void {
  if (value !== undefined) ctx.reply(value);
  else {
    const p = ctx.deferReply();
    if (p !== undefined) waiting.push(p);
  }
}

export function answerWaiting(ctx: ActorContext, waiting: PendingReply[], value: unknown): void {
  for (const p of waiting.splice(0)) ctx.completeReply(p, value);
}

export const Join = defineActor('bench.join', {
  init: (props: { expect: number }) => ({
    expect: props.expect,
    count: 0,
    sum: 0,
    waiting: [] as PendingReply[],
  }),
  receive(s, msg: JoinMsg, ctx) {
    if (msg.type === 'add') {
      // Savina actors mutate their fields; returning the same object keeps that cost model.
      s.count++;
      s.sum += msg.value;
      if (s.count === s.expect && s.waiting.length > 0)
        answerWaiting(ctx, s.waiting, { count: s.count, sum: s.sum });
    } else answerOrDefer(ctx, s.waiting, s.count >= s.expect ? { count: s.count, sum: s.sum } : undefined);
    return s;
  },
});
