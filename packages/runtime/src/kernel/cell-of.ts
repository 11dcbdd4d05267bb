import type { ActorCell } from './cell.ts';
import type { ActorRef } from './ref.ts';

/**
 * The cell behind a ref whose actor lives on this thread. A ref holds it as the narrow `RefCell`
 * (ref.ts sits below the cell in the import graph); every `RefCell` is an `ActorCell`, the only
 * class that implements it, so this is a cast and costs nothing.
 */
export function cellOf(ref: ActorRef): ActorCell | null {
  return ref.cell as ActorCell | null;
}
