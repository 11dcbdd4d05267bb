/**
 * Parent/child links across executor threads (plain parents).
 *
 * In one thread a parent holds its children as cells (`children`) and a
 * child its parent as a cell (`parent`). When either one moves to another
 * executor, the link between them switches to its remote form, by ref:
 * the child keeps `remoteParent`, the parent keeps `remoteKids` (id → ref).
 * Both forms work whether or not the two happen to share a thread later,
 * because every remote-form step goes through routing (link.ts).
 *
 * Protocol (parent P, child C, on any executors):
 * 1. Moving C or P (`crossLinks`, before the snapshot): every link of the
 *    moving actor becomes remote form on both ends, so a child is in
 *    exactly one of `P.children` / `P.remoteKids` — never both, never
 *    neither while it lives.
 * 2. The snapshot carries `remoteParent` and `remoteKids`; rehydrate keeps
 *    them in remote form (snapshot.ts, `linked`).
 * 3. P stopping: a stop request (`parent-stopped`) goes to each remote kid by
 *    routing (it follows C through its own migrations); P's onStop waits
 *    until every kid, local or remote, has terminated (cell.ts).
 * 4. C terminating: a child-gone item (link.ts K_CHILD_GONE) is routed to P
 *    wherever it is; P drops C from `remoteKids` and, when stopping and the
 *    last kid is gone, runs onStop. A child-gone for a stopped P is dropped.
 *
 * Supervision still passes closures between parent and child (transport.ts),
 * so an actor that a supervising parent watches over, or a supervisor with
 * children, stays where it is (`immovable`).
 */
import type { ActorCell } from '../cell.ts';
import { SUPERVISED, supervisesChildren } from '../supervision/policy.ts';

/** Why `cell` cannot move to another executor with its links, or undefined when it can. */
export function immovable(cell: ActorCell): string | undefined {
  if (cell.parent !== null && supervisesChildren(cell.parent)) return SUPERVISED;
  const kids = (cell.children?.size ?? 0) + (cell.remoteKids?.size ?? 0);
  if (kids > 0 && supervisesChildren(cell))
    return 'a supervisor stays with its children (supervision links do not cross threads)';
  // A queued stop, Terminated or supervision step belongs to this cell's thread: moving now would lose it.
  if (cell.sys !== null && cell.sys.length > 0) return 'an actor with no pending system messages';
  return undefined;
}

/** Step 1: the moving actor's links to its parent and children switch to remote form. */
export function crossLinks(cell: ActorCell): void {
  const p = cell.parent;
  if (p !== null) {
    p.children?.delete(cell);
    (p.remoteKids ??= new Map()).set(cell.id, cell.ref);
    cell.parent = null;
    cell.remoteParent = p.ref;
  }
  const kids = cell.children;
  if (kids !== null && kids.size > 0) {
    const far = (cell.remoteKids ??= new Map());
    for (const k of kids) {
      k.parent = null;
      k.remoteParent = cell.ref;
      // Parentless here now: a top-most actor of this thread (shutdown stops it directly).
      k.host.roots.add(k);
      far.set(k.id, k.ref);
    }
  }
  cell.children = null;
}

/**
 * An executor was lost (recovery.ts): a kid that lived there sends no child-gone, so its parent
 * counts it gone now; a child whose parent was lost stops, as if its parent had stopped.
 */
export function loseLinks(cells: Iterable<ActorCell>, isLost: (id: number) => boolean): void {
  for (const cell of [...cells]) {
    if (cell.remoteKids !== null)
      for (const id of [...cell.remoteKids.keys()]) if (isLost(id)) cell.remoteChildStopped(id);
    if (cell.remoteParent !== null && isLost(cell.remoteParent.id)) cell.requestStop('parent-stopped');
  }
}
