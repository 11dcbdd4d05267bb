/**
 * Savina ThreadRing: N actors in a ring pass a token; each hop decrements it
 * and the actor that receives 0 reports its index to the join.
 */
import { type ActorRef, defineActor } from '@troupe/runtime';
import type { JoinMsg } from './common.actors.ts';

export { Join } from './common.actors.ts';

export type RingMsg =
  | { readonly type: 'link'; readonly next: ActorRef<RingMsg>; readonly join: ActorRef<JoinMsg> }
  | { readonly type: 'token'; readonly n: number };

interface RingState {
  index: number;
  next: ActorRef<RingMsg> | null;
  join: ActorRef<JoinMsg> | null;
}

export const RingNode = defineActor('bench.threadring.node', {
  init: (props: { index: number }): RingState => ({ index: props.index, next: null, join: null }),
  receive(s, msg: RingMsg, ctx) {
    if (msg.type === 'token') {
      if (msg.n === 0) s.join!.tell({ type: 'add', value: s.index });
      else s.next!.tell({ type: 'token', n: msg.n - 1 });
    } else {
      s.next = msg.next;
      s.join = msg.join;
      // Linking is an ask: with executors, a neighbour's token could otherwise overtake the link.
      ctx.reply(true);
    }
    return s;
  },
});
