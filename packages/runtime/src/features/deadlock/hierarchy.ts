/**
 * Ask hierarchy (`prevent`): definitions declare a `rank`; an actor may only
 * ask actors of a strictly higher rank, the way a lock hierarchy lets a thread
 * take locks only in increasing order. Along any chain of waits ranks then
 * strictly increase, so no wait can lead back to an actor already waiting:
 * no cycle can form among ranked actors.
 *
 * Actors without a rank are outside the hierarchy: their asks are allowed,
 * and a cycle through them is still detected and resolved like `fail-ask`.
 */
import type { ActorCell } from '../../kernel/cell.ts';
import { cellOf } from '../../kernel/cell-of.ts';
import { HierarchyViolationError } from '../../kernel/errors.ts';
import type { Host } from '../../kernel/host.ts';
import type { ActorRef } from '../../kernel/ref.ts';

/** The violation an ask from `from` to `to` would commit, or null when it follows the order. */
export function hierarchyViolation(
  host: Host,
  from: ActorCell,
  to: ActorRef,
): HierarchyViolationError | null {
  const fromRank = from.def.rank;
  if (fromRank === undefined) return null;
  const toRank = (cellOf(to)?.def ?? host.definitions.get(to.def))?.rank;
  if (toRank === undefined || toRank > fromRank) return null;
  return new HierarchyViolationError(from.desc, to.toJSON(), fromRank, toRank);
}
