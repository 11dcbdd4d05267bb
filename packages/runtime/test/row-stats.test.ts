/**
 * Stats summed over board rows that were published at different instants: a
 * stolen backlog is counted once whichever of the victim's and the thief's
 * rows is older (executors/row-stats.ts).
 */
import { Board, SLOT } from '@troupe/scheduler';
import { describe, expect, it } from 'vitest';
import { addRows } from '../src/executors/row-stats.ts';

const K = 215_044;
type Row = Partial<Record<keyof typeof SLOT, number>>;

function totals(victim: Row, thief: Row) {
  const board = new Board(3);
  for (const [n, row] of [
    [1, victim],
    [2, thief],
  ] as const)
    for (const [k, v] of Object.entries(row)) board.set(n, SLOT[k as keyof typeof SLOT], v!);
  const t = addRows(board, [1, 2], { sent: 0, processed: 0, dead: 0, actors: 0, byReason: {} });
  return { sent: t.sent, inFlight: t.sent - t.processed - t.dead, actors: t.actors };
}

// The victim held an actor with K queued messages; the thief stole it and processed them all.
const victimBefore: Row = { sent: K, actors: 1 };
const victimAfter: Row = { sent: 0, moved: K, actors: 0, snapshotsOut: 1 };
const thiefBefore: Row = {};
const thiefAfter: Row = { sent: K, moved: -K, processed: K, actors: 1, snapshotsIn: 1 };

describe('stats over rows read at different instants', () => {
  it('a stolen backlog the thief has processed is not in flight, even from the victim’s row before the steal', () => {
    expect(totals(victimBefore, thiefAfter)).toEqual({ sent: K, inFlight: 0, actors: 1 });
    expect(totals(victimAfter, thiefAfter)).toEqual({ sent: K, inFlight: 0, actors: 1 });
  });

  it('a backlog on the wire is in flight once, not lost and not doubled', () => {
    expect(totals(victimAfter, thiefBefore)).toEqual({ sent: K, inFlight: K, actors: 1 });
    expect(totals(victimBefore, thiefBefore)).toEqual({ sent: K, inFlight: K, actors: 1 });
  });
});
