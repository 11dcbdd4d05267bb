/**
 * Dining philosophers (Savina), written naively with asks.
 *
 * Each philosopher owns the fork on its left and holds it for as long as its
 * `eat` handler runs. To eat it asks its right-hand neighbour for theirs and
 * awaits the answer; a neighbour can only hand a fork over between its own
 * meals (an actor handles one message at a time). When every philosopher gets
 * hungry at once, each waits on the next around the table: a wait-for cycle
 * of 20 actors, the textbook deadlock.
 *
 * What the philosopher does when its ask fails is the only "fix" in here, and
 * it is what each strategy makes possible:
 * - DeadlockError (fail-ask, fail-youngest): put the fork down, ask the table to retry;
 * - HierarchyViolationError (prevent): seats are ranked by position, so the
 *   last seat may not ask seat 0; it tells seat 0 to lend it the fork
 *   instead, and seat 0 (lower rank) asks it to eat — asks then always go up;
 * - restart-victim: the victim is restarted (its `eat` is dropped) and, on
 *   start, reports ready to the table again;
 * - AskTimeoutError (timeout-only): the naive philosopher gives up.
 */
import { type ActorRef, defineActor, type TroupeError } from '@troupe/runtime';

export type PhilosopherMsg =
  | { type: 'eat' }
  | { type: 'borrow' }
  | { type: 'lend-to'; to: ActorRef<PhilosopherMsg> }
  | { type: 'eat-with-fork' };

export type TableMsg =
  | { type: 'ready'; seat: number }
  | { type: 'ate'; seat: number }
  | { type: 'retry'; seat: number }
  | { type: 'gave-up'; seat: number; reason: string };

/** Props survive a restart (state is rebuilt from them): the seat and who sits where. */
export interface SeatProps {
  readonly seat: number;
  readonly table: ActorRef<TableMsg>;
  /** Filled right after spawning, before any philosopher runs. */
  readonly ring: ActorRef<PhilosopherMsg>[];
}

const philosopher = {
  init: (p: SeatProps) => p,
  // At spawn and after every restart: tell the table this seat is ready to be served.
  onStart(p: SeatProps) {
    p.table.tell({ type: 'ready', seat: p.seat });
  },
  receive(p: SeatProps, m: PhilosopherMsg, ctx: any): SeatProps | Promise<SeatProps> {
    switch (m.type) {
      case 'borrow': // between meals: hand the fork over
        ctx.reply('fork');
        return p;
      case 'eat-with-fork': // the left neighbour lends us its fork and waits while we eat
        ctx.tell(p.table, { type: 'ate', seat: p.seat });
        ctx.reply('done');
        return p;
      case 'lend-to':
        return ctx.ask(m.to, { type: 'eat-with-fork' }).then(
          () => p,
          () => p,
        );
      case 'eat':
        return eat(p, ctx);
    }
  },
};

async function eat(p: SeatProps, ctx: any): Promise<SeatProps> {
  const right = p.ring[(p.seat + 1) % p.ring.length]!;
  try {
    await ctx.ask(right, { type: 'borrow' }); // holding our own fork meanwhile
    ctx.tell(p.table, { type: 'ate', seat: p.seat });
  } catch (e) {
    const code = (e as TroupeError).code;
    if (code === 'deadlock') ctx.tell(p.table, { type: 'retry', seat: p.seat });
    else if (code === 'hierarchy-violation') ctx.tell(right, { type: 'lend-to', to: ctx.self });
    else ctx.tell(p.table, { type: 'gave-up', seat: p.seat, reason: code });
  }
  return p;
}

export const SEATS = 20;

/** One definition per seat: ranks (for `prevent`) are declared on definitions, by position. */
export const seats = Array.from({ length: SEATS }, (_, i) =>
  defineActor(`philosopher-${i}`, philosopher, { rank: i }),
);

export interface TableResult {
  readonly meals: number;
  readonly expected: number;
  readonly gaveUp: number;
  readonly retries: number;
  readonly reasons: string[];
}

interface TableProps {
  readonly meals: number;
  readonly ring: ActorRef<PhilosopherMsg>[];
  /** Called once every seat has eaten its meals or given up. */
  readonly onDone: (r: TableResult) => void;
}

interface TableState {
  readonly p: TableProps;
  readonly eaten: number[];
  readonly gaveUp: Set<number>;
  readonly reasons: Set<string>;
  retries: number;
  done: boolean;
}

/** Serves `meals` meals to each seat, one `eat` at a time per seat. */
export const Table = defineActor(
  'table',
  {
    init: (p: TableProps): TableState => ({
      p,
      eaten: Array(SEATS).fill(0),
      gaveUp: new Set(),
      reasons: new Set(),
      retries: 0,
      done: false,
    }),
    receive(s, m: TableMsg) {
      const serve = (seat: number) => {
        if (s.eaten[seat]! < s.p.meals && !s.gaveUp.has(seat)) s.p.ring[seat]!.tell({ type: 'eat' });
      };
      switch (m.type) {
        case 'ready':
          serve(m.seat);
          break;
        case 'ate':
          s.eaten[m.seat]!++;
          serve(m.seat);
          break;
        case 'retry':
          s.retries++;
          serve(m.seat);
          break;
        case 'gave-up':
          s.gaveUp.add(m.seat);
          s.reasons.add(m.reason);
          break;
      }
      const finished = s.eaten.filter((n, i) => n >= s.p.meals || s.gaveUp.has(i)).length;
      if (finished === SEATS && !s.done) {
        s.done = true;
        s.p.onDone({
          meals: s.eaten.reduce((a, b) => a + b, 0),
          expected: s.p.meals * SEATS,
          gaveUp: s.gaveUp.size,
          retries: s.retries,
          reasons: [...s.reasons],
        });
      }
      return s;
    },
  },
  { pinned: true }, // props hold a callback
);
