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
 * 4 carries the child's stop reason: a supervisor actor (supervisor.ts)
 * turns it into `childExited`, as for a child in its own thread.
 *
 * Supervision by a supervising parent — a supervisor actor (`system.start`
 * trees) or a parent defined with `{ supervision }` — crosses as data:
 * 5. C fails: it suspends and routes child-failed (error, phase) to P
 *    (K_CHILD_FAILED), which decides in its own turn (policy.ts).
 * 6. P's resume / suspend / restart directive routes to C as K_DIRECTIVE and
 *    runs in C's turn; stop and escalate are stop requests, and a stop that
 *    overruns the child's shutdownMs is a kill request (K_KILL), as in one
 *    thread. Once a restart has re-initialised C, C routes child-restarted
 *    to P (K_CHILD_RESTARTED): a supervisor restarts its children one by one,
 *    in start order.
 * A supervisor itself is pinned (its state holds timers and records); its
 * workers move, by steal or migrate, like any actor.
 */

import { installSupervision, remoteChildFailed, supervisesChildren } from '../features/supervision/policy.ts';
import { supervisorOf } from '../features/supervision/supervisor.ts';
import { applyDirected } from '../features/supervision/transport.ts';
import { type ActorCell, HOLD_SUPERVISOR, HOLD_SYNC } from '../kernel/cell.ts';
import type { Directed, Host } from '../kernel/host.ts';
import type { ActorRef } from '../kernel/ref.ts';

/** Why `cell` cannot move to another executor with its links (a ConfigError's expected/found), or undefined. */
export function immovable(cell: ActorCell): { expected: string; found: string } | undefined {
  if (supervisorOf(cell) !== undefined)
    return { expected: 'not a supervisor (a supervisor stays on its executor)', found: 'a supervisor' };
  // A queued stop, Terminated or supervision step belongs to this cell's thread: moving now would lose it.
  if (cell.sys !== null && cell.sys.length > 0)
    return { expected: 'an actor with no pending system messages', found: 'pending system messages' };
  // Suspended for a directive: that hold does not travel in the snapshot (a retry's does, timers.ts).
  if ((cell.hold & HOLD_SUPERVISOR) !== 0)
    return { expected: 'an actor not held by supervision', found: 'held (awaiting a directive)' };
  // Arrived, and may not act yet (sender-sync.ts): it may move again once released.
  if ((cell.hold & HOLD_SYNC) !== 0)
    return { expected: 'an actor whose last migration is complete', found: 'syncing' };
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
    if (supervisesChildren(p)) cell.remoteSupervised = true;
  }
  const kids = cell.children;
  if (kids !== null && kids.size > 0) {
    const far = (cell.remoteKids ??= new Map());
    for (const k of kids) {
      k.parent = null;
      k.remoteParent = cell.ref;
      if (supervisesChildren(cell)) k.remoteSupervised = true;
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
export function loseLinks(
  cells: Iterable<ActorCell>,
  isLost: (id: number) => boolean,
  reason: 'executor-hung' | 'executor-crashed',
): void {
  for (const cell of [...cells]) {
    if (cell.remoteKids !== null)
      for (const id of [...cell.remoteKids.keys()]) if (isLost(id)) cell.remoteChildStopped(id, reason);
    if (cell.remoteParent !== null && isLost(cell.remoteParent.id)) cell.requestStop('parent-stopped');
  }
}

/** After rehydrate: a child supervised from afar needs the failure routing on its new host. */
export function arrived(host: Host, cell: ActorCell): void {
  if (cell.remoteSupervised) installSupervision(host);
}

/** Step 5, parent side: the report runs as a system message in the parent's turn. */
export function applyChildFailed(parent: ActorCell, child: ActorRef, error: unknown, phase: unknown): void {
  parent.runAsSystem((p) => remoteChildFailed(p, child, error, phase as 'init' | 'start' | 'receive'));
}

/** Step 6, child side. */
export function applyDirective(cell: ActorCell, d: Directed): void {
  cell.runAsSystem((c) => {
    if (applyDirected(c, d) && c.remoteParent !== null)
      c.host.remote?.childRestarted?.(c.remoteParent, c.ref);
  });
}

/** Step 6, parent side: the child is back; a supervisor goes on with the next restart. */
export function applyChildRestarted(parent: ActorCell, child: ActorRef): void {
  parent.runAsSystem((p) => supervisorOf(p)?.childRestarted(child));
}
