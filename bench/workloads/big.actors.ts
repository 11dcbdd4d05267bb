/**
 * Savina Big: every actor sends N pings, one at a time, to pseudo-random
 * peers (MINSTD seeded by its index) and answers every ping it gets with a
 * pong; after its N-th pong it reports the pongs it received to the join.
 */
import { type ActorRef, defineActor } from '@troupe/runtime';
import type { JoinMsg } from './common.actors.ts';
import { minstd } from './compute.ts';

export { Join } from './common.actors.ts';

export const PING = Object.freeze({ type: 'ping' as const });
export const PONG = Object.freeze({ type: 'pong' as const });

export type BigMsg =
  | {
      readonly type: 'start';
      readonly peers: ActorRef<BigMsg>[];
      readonly n: number;
      readonly join: ActorRef<JoinMsg>;
    }
  | typeof PING
  | typeof PONG;

interface BigState {
  seed: number;
  peers: ActorRef<BigMsg>[];
  n: number;
  sent: number;
  pongs: number;
  join: ActorRef<JoinMsg> | null;
}

export const BigNode = defineActor('bench.big.node', {
  init: (props: { index: number }): BigState => ({
    seed: props.index + 1,
    peers: [],
    n: 0,
    sent: 0,
    pongs: 0,
    join: null,
  }),
  receive(s, msg: BigMsg, ctx) {
    switch (msg.type) {
      case 'ping':
        ctx.reply(PONG);
        break;
      case 'pong':
        s.pongs++;
        if (s.sent === s.n) s.join!.tell({ type: 'add', value: s.pongs });
        else {
          s.seed = minstd(s.seed);
          s.peers[s.seed % s.peers.length]!.tell(PING);
          s.sent++;
        }
        break;
      case 'start':
        s.peers = msg.peers;
        s.n = msg.n;
        s.join = msg.join;
        s.seed = minstd(s.seed);
        s.peers[s.seed % s.peers.length]!.tell(PING);
        s.sent = 1;
        break;
    }
    return s;
  },
});
