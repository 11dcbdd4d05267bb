/**
 * The one seam between a supervisor and its children: system messages.
 * A supervisor never touches a child's state, and a child never touches its
 * supervisor's; each side posts a closure that runs in the other's own turn
 * (`cell.runAsSystem`), ahead of its user messages. In-thread the closure is
 * queued directly; when parent and child live on different executors this is
 * where the scheduler's frames plug in.
 */
import type { ActorCell } from '../cell.ts';
import type { ActorRef } from '../ref.ts';

/** Runs `fn` as a system message of the actor behind `ref`; false when it is gone. */
export function sendSystem(ref: ActorRef, fn: (cell: ActorCell) => void): boolean {
  const cell = ref.cell ?? ref.host.cells.get(ref.id);
  if (cell === undefined || cell === null) return false;
  cell.runAsSystem(fn);
  return true;
}
