/**
 * System stats as a sum of board rows, each as of its own executor's last
 * publish (they are not read at one instant). Two things move between rows
 * and must be counted once whichever row is older:
 * 1. an actor on the wire: in its sender's `snapshotsOut`, in no receiver's
 *    `snapshotsIn` yet — Σ (actors + out − in);
 * 2. its pending mailbox: dehydrate takes it off the sender's `sent` and puts
 *    it in its `moved`, rehydrate the reverse — Σ (sent + moved). Summing
 *    `sent` alone counted a stolen backlog twice when the victim's row was
 *    read from before the steal and the thief's from after (215,044 messages
 *    shown in flight after the thief had processed them all).
 */
import { type Board, SLOT } from '@troupe/scheduler';

export interface RowTotals {
  sent: number;
  processed: number;
  dead: number;
  actors: number;
  readonly byReason: Record<string, number>;
}

/** Adds the rows of `nodes` to `t`. */
export function addRows(board: Board, nodes: Iterable<number>, t: RowTotals): RowTotals {
  for (const n of nodes) {
    t.sent += board.get(n, SLOT.sent) + board.get(n, SLOT.moved);
    t.processed += board.get(n, SLOT.processed);
    t.dead += board.get(n, SLOT.dead);
    t.actors += board.get(n, SLOT.actors) + board.get(n, SLOT.snapshotsOut) - board.get(n, SLOT.snapshotsIn);
    for (const [r, c] of Object.entries(board.reasons(n))) t.byReason[r] = (t.byReason[r] ?? 0) + c;
  }
  return t;
}
