/**
 * Mailbox options and their validation. The queue itself is a `PairQueue`
 * owned by the actor cell; system messages (stop, watch, terminated,
 * supervision) live in a second queue that is always drained first, which is
 * how they overtake user messages.
 */
import { ConfigError } from './errors.ts';
import type { DeadLetterReason } from './events.ts';
import type { PairQueue } from './queue.ts';
import { checkKeys } from './validate.ts';

export type OverflowPolicy = 'reject' | 'drop-oldest' | 'drop-newest';

export interface MailboxOptions {
  /** Maximum queued user messages; `Infinity` (default) means unbounded. */
  readonly capacity?: number;
  /**
   * What a full mailbox does with one more message:
   * - `reject`: the new message is refused — a tell is dead-lettered `mailbox-full`,
   *   an ask rejects with `MailboxFullError`;
   * - `drop-newest`: the new message is dropped (dead letter `dropped`; an ask rejects);
   * - `drop-oldest`: the oldest queued message is dropped (dead letter `dropped`) to make room.
   */
  readonly overflow?: OverflowPolicy;
}

export interface ResolvedMailbox {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
}

export const UNBOUNDED: ResolvedMailbox = Object.freeze({
  capacity: Number.POSITIVE_INFINITY,
  overflow: 'reject',
});

const policies: readonly OverflowPolicy[] = ['reject', 'drop-oldest', 'drop-newest'];
const MAILBOX_KEYS = ['capacity', 'overflow'];
/**
 * Inputs already resolved against UNBOUNDED (a definition's mailbox, checked
 * at defineActor): each spawn of the definition reuses the result.
 */
const resolved = new WeakMap<object, ResolvedMailbox>();

export function resolveMailbox(
  opts: MailboxOptions | undefined,
  path: string,
  base = UNBOUNDED,
): ResolvedMailbox {
  if (opts === undefined) return base;
  const known =
    base === UNBOUNDED && opts !== null && typeof opts === 'object' ? resolved.get(opts) : undefined;
  if (known !== undefined) return known;
  if (opts === null || typeof opts !== 'object')
    throw new ConfigError(path, '{ capacity?, overflow? }', opts);
  checkKeys(opts, MAILBOX_KEYS, path);
  const capacity = opts.capacity ?? base.capacity;
  if (!(capacity === Number.POSITIVE_INFINITY || (Number.isInteger(capacity) && capacity > 0)))
    throw new ConfigError(`${path}.capacity`, 'a positive integer or Infinity', opts.capacity);
  const overflow = opts.overflow ?? base.overflow;
  if (!policies.includes(overflow))
    throw new ConfigError(`${path}.overflow`, policies.map((p) => `"${p}"`).join(' | '), opts.overflow);
  const r = Object.freeze({ capacity, overflow });
  if (base === UNBOUNDED) resolved.set(opts, r);
  return r;
}

/** What the overflow policy reads of a cell whose mailbox is full (cell.ts implements it). */
export interface OverflowCell<C> {
  readonly mailbox: PairQueue<unknown, unknown>;
  readonly overflow: OverflowPolicy;
  readonly host: { deadLetter(msg: unknown, meta: unknown, reason: DeadLetterReason, recipient: C): void };
}

/** Applies `cell`'s overflow policy to a new message for its full mailbox; false when it was refused. */
export function makeRoom<C extends OverflowCell<C>>(cell: C, msg: unknown, meta: unknown): boolean {
  const host = cell.host;
  switch (cell.overflow) {
    case 'drop-oldest': {
      const old = cell.mailbox.shift();
      host.deadLetter(old, cell.mailbox.meta, 'dropped', cell);
      return true;
    }
    case 'drop-newest':
      host.deadLetter(msg, meta, 'dropped', cell);
      return false;
    default:
      host.deadLetter(msg, meta, 'mailbox-full', cell);
      return false;
  }
}
