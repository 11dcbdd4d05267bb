/**
 * A cell's status and why its user messages are held (the `hold` bits), and
 * the context it drives each turn: the names the cell (cell.ts), its
 * lifecycle and the features that act on it share.
 */
import type { ActorContext } from './actor.ts';

export const ALIVE = 0;
export const STOPPING = 1;
export const STOPPED = 2;
/** Moved to another executor; the ref routes through the host. */
export const MIGRATED = 3;

/** `hold` bits. Suspended by a `suspend` directive, or by its own failure awaiting its parent's one. */
export const HOLD_SUSPENDED = 1;
/** The message at the mailbox front waits out a delay before it is processed again (`requeueHead`). */
export const HOLD_WAIT = 2;
/** The mailbox front is a message put back by `requeueHead`: processed in the slow path, as redelivered. */
export const HOLD_REDELIVER = 4;
/**
 * Arrived from another executor and may not act yet (executors/sender-sync.ts): no turn at all — no
 * system message, no user message, no timer — until what it sent from the executor it left was read.
 */
export const HOLD_SYNC = 8;

/** The handler context as the cell drives it: re-pointed at each message (context.ts `Context`). */
export interface TurnContext extends ActorContext {
  /** Meta of the message being handled: sender ref, ask handle, or undefined. */
  readonly meta: unknown;
  begin(meta: unknown): void;
}
