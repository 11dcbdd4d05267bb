/**
 * Parent/child links across executor threads (plain parents).
 *
 * In one thread a parent holds its children as cells (`children`) and a
 * child its parent as a cell (`parent`). When either one moves to another
 * executor, the link between them switches to its remote form, by ref
 * (kernel/far-links.ts): the child keeps its parent's ref, the parent its
 * children's refs by id.
 * Both forms work whether or not the two happen to share a thread later,
 * because every remote-form step goes through routing (link.ts).
 *
 * Protocol (parent P, child C, on any executors):
 * 1. Moving C or P (`crossLinks`, before the snapshot): every link of the
 *    moving actor becomes remote form on both ends, so a child is in
 *    exactly one of P's children / P's children by ref — never both, never
 *    neither while it lives.
 * 2. The snapshot carries the links by ref; rehydrate keeps them in remote
 *    form (snapshot.ts, `linked`).
 * 3. P stopping: a stop request (`parent-stopped`) goes to each remote kid by
 *    routing (it follows C through its own migrations); P's onStop waits
 *    until every kid, local or remote, has terminated (cell.ts).
 * 4. C terminating: a `child-gone` system message is routed to P wherever it
 *    is; P drops C from its children by ref and, when stopping and the last
 *    kid is gone, runs onStop. A child-gone for a stopped P is dropped.
 *
 * 4 carries the child's stop reason: a supervisor actor (supervisor.ts)
 * turns it into `childExited`, as for a child in its own thread.
 *
 * Supervision by a supervising parent — a supervisor actor (`system.start`
 * trees) or a parent defined with `{ supervision }` — crosses as system
 * messages, the same ones as in one thread (features/supervision/plugin.ts):
 * 5. C fails: it suspends and routes `failed` (error, phase) to P, which
 *    decides in its own turn.
 * 6. P's resume / suspend / restart `directive` routes to C and runs in C's
 *    turn; stop and escalate are stops, and a stop that overruns the child's
 *    shutdownMs is a `kill`, as in one thread. Once a restart has
 *    re-initialised C, C routes `supervision.restarted` to P: a supervisor
 *    restarts its children one by one, in start order.
 * A supervisor moves too, when at rest and below the top of its tree
 * (features/supervision/moving.ts); its workers move like any actor.
 */

import { whyImmovable } from '../features/supervision/moving.ts';
import { markFarSupervised, supervisesChildren } from '../features/supervision/plugin.ts';
import { supervisorOf } from '../features/supervision/supervisor.ts';
import { type ActorCell, HOLD_SUSPENDED, HOLD_SYNC } from '../kernel/cell.ts';
import { farKids, farKidsOf, farParent, setFarParent } from '../kernel/far-links.ts';
import { childGoneMsg } from '../kernel/sysmsg.ts';

/** Why `cell` cannot move to another executor with its links (a ConfigError's expected/found), or undefined. */
export function immovable(cell: ActorCell): { expected: string; found: string } | undefined {
  const sup = supervisorOf(cell);
  if (sup !== undefined) {
    const why = whyImmovable(sup);
    if (why !== undefined) return why;
  }
  // A queued stop, Terminated or supervision step belongs to this cell's thread: moving now would lose it.
  if (cell.sys !== null && cell.sys.length > 0)
    return { expected: 'an actor with no pending system messages', found: 'pending system messages' };
  // Suspended for a directive: that hold does not travel in the snapshot (a requeued message's does, timers.ts).
  if ((cell.hold & HOLD_SUSPENDED) !== 0)
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
    farKidsOf(p).set(cell.id, cell.ref);
    cell.parent = null;
    setFarParent(cell, p.ref);
    if (supervisesChildren(p)) markFarSupervised(cell);
  }
  const kids = cell.children;
  if (kids !== null && kids.size > 0) {
    const far = farKidsOf(cell);
    const sup = supervisesChildren(cell);
    for (const k of kids) {
      k.parent = null;
      setFarParent(k, cell.ref);
      if (sup) markFarSupervised(k);
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
    const far = farKids(cell);
    if (far !== null)
      for (const [id, ref] of [...far]) if (isLost(id)) cell.system(childGoneMsg(ref, reason));
    const fp = farParent(cell);
    if (fp !== null && isLost(fp.id)) cell.requestStop('parent-stopped');
  }
}
