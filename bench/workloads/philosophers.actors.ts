/**
 * Savina Dining Philosophers: an arbitrator owns the forks; a hungry
 * philosopher asks (by message) for both of its forks, eats when granted,
 * retries when denied, gives the forks back, and leaves after M meals.
 */
import { type ActorRef, defineActor } from '@troupe/runtime';
import type { JoinMsg } from './common.actors.ts';

export { Join } from './common.actors.ts';

const EAT = Object.freeze({ type: 'eat' as const });
const DENIED = Object.freeze({ type: 'denied' as const });

export type ArbiterMsg =
  | { readonly type: 'setup'; readonly philosophers: number; readonly join: ActorRef<JoinMsg> }
  | { readonly type: 'hungry' | 'done' | 'exit'; readonly id: number };

interface ArbiterState {
  forks: boolean[];
  exited: number;
  meals: number;
  denied: number;
  join: ActorRef<JoinMsg> | null;
}

export const Arbiter = defineActor('bench.philosophers.arbiter', {
  init: (): ArbiterState => ({ forks: [], exited: 0, meals: 0, denied: 0, join: null }),
  receive(s, msg: ArbiterMsg, ctx) {
    const forks = s.forks;
    switch (msg.type) {
      case 'hungry': {
        const right = (msg.id + 1) % forks.length;
        if (forks[msg.id] || forks[right]) {
          s.denied++;
          ctx.reply(DENIED);
        } else {
          forks[msg.id] = true;
          forks[right] = true;
          s.meals++;
          ctx.reply(EAT);
        }
        break;
      }
      case 'done':
        forks[msg.id] = false;
        forks[(msg.id + 1) % forks.length] = false;
        break;
      case 'exit':
        if (++s.exited === forks.length) s.join!.tell({ type: 'add', value: s.meals });
        break;
      case 'setup':
        s.forks = new Array<boolean>(msg.philosophers).fill(false);
        s.join = msg.join;
        ctx.reply(true); // an ask: no philosopher's request may overtake the setup
        break;
    }
    return s;
  },
});

export type PhilosopherMsg =
  | { readonly type: 'start'; readonly arbiter: ActorRef<ArbiterMsg>; readonly rounds: number }
  | typeof EAT
  | typeof DENIED;

interface PhilosopherState {
  eaten: number;
  rounds: number;
  arbiter: ActorRef<ArbiterMsg> | null;
  hungry: ArbiterMsg;
  done: ArbiterMsg;
}

export const Philosopher = defineActor('bench.philosophers.philosopher', {
  init: (props: { id: number }): PhilosopherState => ({
    eaten: 0,
    rounds: 0,
    arbiter: null,
    // Preallocated: a philosopher sends the same three messages all its life.
    hungry: { type: 'hungry', id: props.id },
    done: { type: 'done', id: props.id },
  }),
  receive(s, msg: PhilosopherMsg, ctx) {
    switch (msg.type) {
      case 'denied':
        s.arbiter!.tell(s.hungry);
        break;
      case 'eat':
        s.arbiter!.tell(s.done);
        if (++s.eaten < s.rounds) s.arbiter!.tell(s.hungry);
        else {
          s.arbiter!.tell({ type: 'exit', id: (s.hungry as { id: number }).id });
          ctx.stop();
        }
        break;
      case 'start':
        s.arbiter = msg.arbiter;
        s.rounds = msg.rounds;
        s.arbiter.tell(s.hungry);
        break;
    }
    return s;
  },
});
