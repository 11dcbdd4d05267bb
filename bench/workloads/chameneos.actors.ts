/**
 * Savina Chameneos: C creatures repeatedly ask a mall for a meeting; the mall
 * pairs them two by two until N meetings happened, then answers every further
 * request with `exit`; each creature reports how many meetings it had.
 * Every meeting changes both creatures' colours (the complement rule).
 */
import { type ActorRef, defineActor } from '@troupe/runtime';
import type { JoinMsg } from './common.actors.ts';

export { Join } from './common.actors.ts';

const FADED = 3;
/** Meeting requests per colour, preallocated: the colour is the whole payload. */
const MEET = [0, 1, 2].map((color) => Object.freeze({ type: 'meet' as const, color }));
const EXIT = Object.freeze({ type: 'exit' as const });

export function complement(a: number, b: number): number {
  return a === b ? a : 3 - a - b;
}

export type CreatureMsg =
  | { readonly type: 'start'; readonly mall: ActorRef<MallMsg> }
  | { readonly type: 'meet'; readonly color: number; readonly partner: ActorRef<CreatureMsg> }
  | { readonly type: 'change'; readonly color: number }
  | typeof EXIT;

export const Creature = defineActor('bench.chameneos.creature', {
  init: (props: { color: number }) => ({
    color: props.color,
    meetings: 0,
    mall: null as ActorRef<MallMsg> | null,
  }),
  receive(s, msg: CreatureMsg, ctx) {
    switch (msg.type) {
      case 'meet':
        s.color = complement(s.color, msg.color);
        s.meetings++;
        msg.partner.tell({ type: 'change', color: s.color });
        s.mall!.tell(MEET[s.color]!);
        break;
      case 'change':
        s.color = msg.color;
        s.meetings++;
        s.mall!.tell(MEET[s.color]!);
        break;
      case 'start':
        s.mall = msg.mall;
        s.mall.tell(MEET[s.color]!);
        break;
      case 'exit':
        s.color = FADED;
        ctx.reply({ type: 'count', meetings: s.meetings });
        ctx.stop();
        break;
    }
    return s;
  },
});

export type MallMsg =
  | {
      readonly type: 'setup';
      readonly n: number;
      readonly creatures: number;
      readonly join: ActorRef<JoinMsg>;
    }
  | { readonly type: 'meet'; readonly color: number }
  | { readonly type: 'count'; readonly meetings: number };

interface MallState {
  n: number;
  meetings: number;
  creatures: number;
  faded: number;
  sum: number;
  waiting: ActorRef<CreatureMsg> | null;
  join: ActorRef<JoinMsg> | null;
}

export const Mall = defineActor('bench.chameneos.mall', {
  init: (): MallState => ({ n: 0, meetings: 0, creatures: 0, faded: 0, sum: 0, waiting: null, join: null }),
  receive(s, msg: MallMsg, ctx) {
    switch (msg.type) {
      case 'meet': {
        const from = ctx.sender as ActorRef<CreatureMsg>;
        if (s.meetings >= s.n) ctx.reply(EXIT);
        else if (s.waiting === null) s.waiting = from;
        else {
          s.meetings++;
          s.waiting.tell({ type: 'meet', color: msg.color, partner: from });
          s.waiting = null;
        }
        break;
      }
      case 'count':
        s.sum += msg.meetings;
        if (++s.faded === s.creatures) s.join!.tell({ type: 'add', value: s.sum });
        break;
      case 'setup':
        s.n = msg.n;
        s.creatures = msg.creatures;
        s.join = msg.join;
        ctx.reply(true); // an ask: no creature's request may overtake the setup
        break;
    }
    return s;
  },
});
