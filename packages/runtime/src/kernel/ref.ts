/**
 * ActorRef: the only handle application code holds. It stays valid for the
 * actor's whole life wherever the actor runs; a ref whose actor lives in this
 * thread keeps a direct pointer to the cell so a tell is a queue push.
 */
import { type ActorDescription, ConfigError } from './errors.ts';
import type { DeadLetterReason } from './events.ts';
import type { ReplyOf } from './reply.ts';
import { MAX_TIMER_MS, type Range } from './validate.ts';

/**
 * What a ref needs of its actor's cell: the queue push a local tell is. The cell (cell.ts)
 * implements it; a ref names only this, so refs sit below cells in the import graph.
 */
export interface RefCell {
  /** Its definition's name and placement rule (portable.ts reads `pinned` of a local sender). */
  readonly def: { readonly name: string; readonly pinned?: boolean };
  deliver(msg: unknown, meta: unknown): void;
}

/** What a ref needs of the host it was made on (host.ts implements it). */
export interface RefHost {
  /** The actor whose handler runs now on this thread: the sender of a tell made from it. */
  readonly current: { readonly ref: ActorRef } | null;
  /** False from shutdown phase 1: a tell from outside any actor is refused. */
  readonly accepting: boolean;
  readonly stats: { sent: number };
  route(ref: ActorRef, msg: unknown, sender: ActorRef | undefined): void;
  ask(
    ref: ActorRef,
    msg: unknown,
    options: AskOptions | undefined,
    sender: ActorRef | undefined,
  ): Promise<unknown>;
  deadLetter(msg: unknown, meta: unknown, reason: DeadLetterReason, recipient?: ActorRef): void;
}

export interface AskOptions {
  /** Reject with AskTimeoutError after this many ms (default: the system's askTimeoutMs). */
  readonly timeoutMs?: number;
  /**
   * While the asking actor awaits this ask, it may handle asks of the same
   * call chain (e.g. the callee asking back) instead of deadlocking on them.
   */
  readonly reentrant?: boolean;
}

export const ASK_KEYS = ['timeoutMs', 'reentrant'];
/** Ask timeouts, the system's default and per ask: any delay a timer honours. */
export const ASK_TIMEOUT_MS: Range = { min: 0, max: MAX_TIMER_MS, minExclusive: true };

export class ActorRef<M = unknown> {
  /** @internal Direct pointer while the actor lives in this thread; null when remote or gone. */
  cell: RefCell | null;
  /** @internal */
  readonly host: RefHost;
  private json: ActorDescription | undefined = undefined;

  constructor(
    readonly id: number,
    readonly name: string | undefined,
    /** Name of the actor's definition. */
    readonly def: string,
    host: RefHost,
    cell: RefCell | null,
  ) {
    this.host = host;
    this.cell = cell;
  }

  /**
   * Sends without waiting. Never throws for a live system: a message that
   * cannot be delivered goes to dead letters with the reason. Inside a
   * handler the running actor is the sender (synchronous part only; after an
   * `await`, use `ctx.tell` to keep the sender).
   */
  tell(msg: M): void {
    const host = this.host;
    const cur = host.current;
    // Shutdown phase 1: a tell from outside any actor is refused. One boolean
    // read per tell; the cold branch is out of line.
    if (!host.accepting && cur === null) {
      refuseOutsideTell(this, msg);
      return;
    }
    const c = this.cell;
    if (c !== null) c.deliver(msg, cur === null ? undefined : cur.ref);
    else host.route(this, msg, cur === null ? undefined : cur.ref);
  }

  /**
   * Sends and waits for `ctx.reply`. Rejects with AskTimeoutError,
   * ActorStoppedError, MailboxFullError, … The reply's type is the one the
   * message declares (`Ask<R, …>`, reply.ts); `ask<R>(msg)` names it by hand
   * for a message that declares none.
   */
  // `T & M`, not `T extends M`: a constraint on M would make ActorRef<X> unassignable to ActorRef<unknown>.
  // `_Inferred` has no default, so an explicit `ask<R>(msg)` cannot pick this overload (reply.ts).
  ask<T, _Inferred>(msg: T & M, options?: AskOptions): Promise<ReplyOf<T & M>>;
  ask<R>(msg: M, options?: AskOptions): Promise<R>;
  ask(msg: M, options?: AskOptions): Promise<unknown> {
    const cur = this.host.current;
    return this.host.ask(this, msg, options, cur === null ? undefined : cur.ref);
  }

  toString(): string {
    return this.name ? `ActorRef(${this.name}:${this.def}#${this.id})` : `ActorRef(${this.def}#${this.id})`;
  }

  /**
   * The actor's description (events, dead letters, errors). Built once and
   * frozen: per-message events name both ends of every message, and a fresh
   * object each time was most of their cost.
   */
  toJSON(): ActorDescription {
    return (this.json ??= Object.freeze({ id: this.id, name: this.name, def: this.def }));
  }
}

/** Counted as sent and dead-lettered `shutdown`, so `sent = processed + deadLettered` still holds. */
function refuseOutsideTell(ref: ActorRef, msg: unknown): void {
  ref.host.stats.sent++;
  ref.host.deadLetter(msg, undefined, 'shutdown', ref);
}

export function checkRef(ref: unknown, path: string): asserts ref is ActorRef {
  if (!(ref instanceof ActorRef)) throw new ConfigError(path, 'an ActorRef', ref);
}
