/**
 * One delivery rule for values that cannot cross a thread, wherever the
 * receiver happens to run (threaded mode).
 *
 * Stealing, compaction and placement move actors on their own, so whether a
 * sender and its receiver share an executor is a coin toss. A message that
 * only one of the two outcomes could carry (a function, a class instance)
 * must therefore meet the same fate in both:
 * 1. Sent to another executor it cannot travel: dead-lettered
 *    `unserializable` (link.ts `route`; an ask rejects with
 *    UnserializableError).
 * 2. Sent on the receiver's own executor it is refused the same way — unless
 *    neither end can ever move: the receiver is `pinned` and the sender is the
 *    receiver itself or another pinned actor there. Then the outcome is fixed
 *    by where they were placed, not by where the scheduler happened to put
 *    them, and such an actor may keep values that never leave its thread.
 * A movable actor thus never holds an unportable message, so none blocks its
 * migration either. In one thread (`executors: 0`) nothing moves and every
 * value is delivered.
 */
import { AskHandle } from './ask.ts';
import { checkPortable } from './codec.ts';
import { type ActorDescription, UnserializableError } from './errors.ts';
import type { DeadLetterReason } from './events.ts';
import { ActorRef } from './ref.ts';

/** What rule 2 reads of the receiving cell (cell.ts implements it). */
export interface PortableCell<C> {
  readonly def: { readonly pinned?: boolean };
  readonly desc: ActorDescription;
  readonly host: {
    readonly stats: { sent: number };
    deadLetter(msg: unknown, meta: unknown, reason: DeadLetterReason, recipient: C, error: unknown): void;
  };
}

/**
 * Rule 2 for a message `deliver` is about to queue on `cell`: true when it
 * was refused (counted sent and dead-lettered). Callers test the cheap part
 * first, as link.ts `route` does: only objects, strings (a lone surrogate),
 * functions and symbols can fail.
 */
export function refuseUnportable<C extends PortableCell<C>>(cell: C, msg: unknown, meta: unknown): boolean {
  const p = checkPortable(msg, 'message');
  if (p === undefined) return false;
  if (cell.def.pinned) {
    const sender = meta instanceof ActorRef ? meta : meta instanceof AskHandle ? meta.sender : undefined;
    // A local sender's ref points at its cell; a sender on another executor would have crossed (rule 1).
    if (sender !== undefined && sender.cell?.def.pinned === true) return false;
  }
  const host = cell.host;
  host.stats.sent++;
  host.deadLetter(
    msg,
    meta,
    'unserializable',
    cell,
    new UnserializableError('a message', p.path, p.found, cell.desc, p.limit),
  );
  return true;
}
