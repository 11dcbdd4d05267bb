/**
 * The one seam between a supervisor and its children: system messages.
 * A supervisor never touches a child's state, and a child never touches its
 * supervisor's; each side posts a closure that runs in the other's own turn
 * (`cell.runAsSystem`), ahead of its user messages. When the two live on
 * different executors, what a supervisor asks of a child travels as data
 * (`direct`, executors/links.ts step 6) and runs there the same way.
 */
import { type ActorCell, MIGRATED } from '../../kernel/cell.ts';
import type { Directed, Host } from '../../kernel/host.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import { restartInPlace } from './records.ts';

/** Runs `fn` as a system message of the actor behind `ref`; false when it is not on this host. */
export function sendSystem(ref: ActorRef, fn: (cell: ActorCell) => void): boolean {
  const cell = ref.cell ?? ref.host.cells.get(ref.id);
  if (cell === undefined || cell === null || cell.status === MIGRATED) return false;
  cell.runAsSystem(fn);
  return true;
}

/** The child side of a directive, in the child's turn (here, or on its executor); true when it restarted. */
export function applyDirected(cell: ActorCell, d: Directed): boolean {
  if (d === 'resume') cell.resumeHeld();
  else if (d === 'suspend') cell.suspend();
  else return restartInPlace(cell);
  return false;
}

/**
 * A supervisor's directive to its child, wherever the child lives now.
 * `restarted` runs in the child's turn once a `restart` has re-initialised it
 * here; on another executor the child reports it by `childRestarted`
 * (executors/links.ts step 6) instead.
 */
export function direct(host: Host, ref: ActorRef, d: Directed, restarted?: () => void): void {
  const sent = sendSystem(ref, (c) => {
    if (applyDirected(c, d)) restarted?.();
  });
  if (!sent) host.remote?.directive?.(ref, d);
}
