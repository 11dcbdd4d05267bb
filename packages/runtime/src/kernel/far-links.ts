/**
 * Parent/child links by ref: the form a parent/child link takes once the two
 * may live on different executors (protocol in executors/links.ts). The cell
 * keeps them in an extension slot, so an actor that never crossed a thread
 * carries nothing for them.
 *
 * The kernel owns them because its stop protocol does: a parent's onStop
 * waits for every child, local or linked by ref, and a child linked by ref
 * tells its parent it is gone with a `child-gone` system message.
 * Snapshots carry them only when the actor leaves (snapshot.ts), never in a
 * copy: a copy must not stop another's children.
 */
import type { SlotOwner } from './ext.ts';
import { defineSlot } from './ext.ts';
import type { ActorRef } from './ref.ts';

export interface FarLinks {
  /** The parent, linked by ref. */
  parent: ActorRef | null;
  /** Children linked by ref, by id. */
  kids: Map<number, ActorRef> | null;
}

const FAR = defineSlot<FarLinks>('kernel.far');

export function farParent(cell: SlotOwner): ActorRef | null {
  return FAR.get(cell)?.parent ?? null;
}

export function setFarParent(cell: SlotOwner, parent: ActorRef | null): void {
  const f = FAR.get(cell);
  if (f !== undefined) f.parent = parent;
  else if (parent !== null) FAR.set(cell, { parent, kids: null });
}

/** Children linked by ref, or null when none ever was. */
export function farKids(cell: SlotOwner): Map<number, ActorRef> | null {
  return FAR.get(cell)?.kids ?? null;
}

/** The map of children linked by ref, created on first use. */
export function farKidsOf(cell: SlotOwner): Map<number, ActorRef> {
  let f = FAR.get(cell);
  if (f === undefined) FAR.set(cell, (f = { parent: null, kids: null }));
  return (f.kids ??= new Map());
}

/** True while a child linked by ref has not said it is gone. */
export function hasFarKids(cell: SlotOwner): boolean {
  const k = FAR.get(cell)?.kids;
  return k !== undefined && k !== null && k.size > 0;
}
