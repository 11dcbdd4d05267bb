/**
 * Savina Fibonacci: an actor per call. fib(n) spawns children for n-1 and
 * n-2, adds their answers, answers its parent and stops; the root answers
 * the join. The parent is the sender of the request (Savina passes it to the
 * child too) rather than `ctx.parent`: a child may be stolen by another
 * executor, and its requester's ref is what travels with it.
 */
import { type ActorRef, defineActor } from '@troupe/runtime';
import type { JoinMsg } from './common.actors.ts';

export { Join } from './common.actors.ts';

export type FibMsg =
  | { readonly type: 'req'; readonly n: number; readonly join?: ActorRef<JoinMsg> }
  | { readonly type: 'resp'; readonly value: number };

const REQ = Array.from({ length: 64 }, (_, n) => Object.freeze({ type: 'req' as const, n }));

export const FibActor = defineActor('bench.fib.actor', {
  init: () => ({
    pending: 0,
    sum: 0,
    join: null as ActorRef<JoinMsg> | null,
    parent: null as ActorRef<FibMsg> | null,
  }),
  receive(s, msg: FibMsg, ctx) {
    if (msg.type === 'req') {
      if (msg.join) s.join = msg.join;
      else s.parent = ctx.sender as ActorRef<FibMsg>;
      if (msg.n < 2) return answer(s, msg.n, ctx);
      ctx.spawn(FibActor, undefined).tell(REQ[msg.n - 1]!);
      ctx.spawn(FibActor, undefined).tell(REQ[msg.n - 2]!);
      s.pending = 2;
      return s;
    }
    s.sum += msg.value;
    return --s.pending === 0 ? answer(s, s.sum, ctx) : s;
  },
});

function answer<S extends { join: ActorRef<JoinMsg> | null; parent: ActorRef<FibMsg> | null }>(
  s: S,
  value: number,
  ctx: { stop(): void },
): S {
  if (s.join !== null) s.join.tell({ type: 'add', value });
  else s.parent!.tell({ type: 'resp', value });
  ctx.stop();
  return s;
}
