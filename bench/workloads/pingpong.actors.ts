/**
 * Savina PingPong: `ping` sends N pings, one at a time; `pong` answers each
 * with a pong. Messages are preallocated, as in the Savina implementations.
 */
import { type ActorRef, defineActor, type PendingReply } from '@troupe/runtime';
import { answerOrDefer, answerWaiting, type RESULT } from './common.actors.ts';

export { Join } from './common.actors.ts';

export const PING = Object.freeze({ type: 'ping' as const });
export const PONG = Object.freeze({ type: 'pong' as const });

export type PongMsg = typeof PING;
export type PingMsg =
  | { readonly type: 'start'; readonly pong: ActorRef<PongMsg>; readonly n: number }
  | typeof PONG
  | typeof RESULT;

export const Pong = defineActor('bench.pingpong.pong', {
  init: () => 0,
  receive(n: number, _msg: PongMsg, ctx) {
    ctx.reply(PONG);
    return n + 1;
  },
});

export const Ping = defineActor('bench.pingpong.ping', {
  init: () => ({ left: 0, pongs: 0, done: false, waiting: [] as PendingReply[] }),
  receive(s, msg: PingMsg, ctx) {
    switch (msg.type) {
      case 'start':
        s.left = msg.n - 1;
        msg.pong.tell(PING);
        break;
      case 'pong':
        s.pongs++;
        if (s.left > 0) {
          s.left--;
          ctx.reply(PING);
        } else {
          s.done = true;
          answerWaiting(ctx, s.waiting, s.pongs);
        }
        break;
      case 'result':
        answerOrDefer(ctx, s.waiting, s.done ? s.pongs : undefined);
        break;
    }
    return s;
  },
});
