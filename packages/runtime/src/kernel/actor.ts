/**
 * The actor's contract with the code that defines it: the behavior it writes
 * (`Behavior`, `ActorDefinition` and the definition options features extend)
 * and the context its handlers see (`ActorContext`). Types only — the values
 * are in definition.ts (`defineActor`) and context.ts (`Context`) — so every
 * kernel file can name them without importing the cell, the context or the
 * host that implement them (scripts/check-cycles.mjs).
 */
import type { MailboxOptions } from './mailbox.ts';
import type { ActorRef, AskOptions } from './ref.ts';
import type { RepliesOf, ReplyOf } from './reply.ts';
import type { SpawnOptions } from './spawn-options.ts';
import type { Terminated } from './terminated.ts';

export type Awaitable<T> = T | Promise<T>;

export interface Behavior<S, M, P = void> {
  /** Builds the initial state from props. Runs at spawn and again at every restart. */
  init(props: P, ctx: InitContext): S;
  /** Handles one message and returns the next state (or a promise of it). */
  receive(state: S, msg: M, ctx: ActorContext<M>): Awaitable<S>;
  /** Runs once before the first message (and after each restart). May return a new state. */
  onStart?(state: S, ctx: ActorContext<M>): Awaitable<S | void>;
  /** Runs once when the actor stops, after its children stopped. */
  onStop?(state: S, ctx: ActorContext<M>): Awaitable<void>;
  /**
   * Death watch notification. When absent, the `Terminated` value is delivered
   * to `receive` instead, like an Erlang `'DOWN'` message.
   */
  onTerminated?(state: S, terminated: Terminated, ctx: ActorContext<M>): Awaitable<S>;
  /**
   * State ↔ plain value, for behaviors whose live state is not a value
   * (e.g. `fromMachine`). Used when the actor is dehydrated for migration.
   */
  toValue?(state: S): unknown;
  fromValue?(value: unknown, props: P): S;
}

/**
 * The kernel's definition options; features add theirs (`retry`, `supervision`, `deadlock`,
 * `rank`) by augmenting this interface and registering a resolver (feature-options.ts).
 */
export interface DefinitionOptions {
  /** Never migrate this actor between executors (its state need not be serializable). */
  readonly pinned?: boolean;
  /** Default mailbox for actors of this definition. */
  readonly mailbox?: MailboxOptions;
  /** Messages per turn before the actor yields; overrides the system's. */
  readonly throughput?: number;
}

export interface ActorDefinition<S = any, M = any, P = any> extends DefinitionOptions {
  readonly kind: 'troupe.actor-definition';
  readonly name: string;
  readonly behavior: Behavior<S, M, P>;
}

/** Message type accepted by a definition. */
export type MessageOf<D> = D extends ActorDefinition<any, infer M, any> ? M : never;
/** Props type taken by a definition. */
export type PropsOf<D> = D extends ActorDefinition<any, any, infer P> ? P : never;
/** State type of a definition. */
export type StateOf<D> = D extends ActorDefinition<infer S, any, any> ? S : never;

export interface Cancellable {
  cancel(): void;
}

export interface ScheduleOptions<T = unknown> {
  /** Recipient (default: self). */
  readonly to?: ActorRef<T>;
  /** Re-deliver every `delayMs` until cancelled or the actor stops. */
  readonly repeat?: boolean;
  /**
   * Names the timer: scheduling under a key cancels the timer that held it, and
   * `ctx.cancelSchedule(key)` cancels it wherever the actor runs by then (a timer
   * moves with its actor; a `Cancellable` handle works only where it was armed).
   */
  readonly key?: string | number;
}

/**
 * An answer owed to an ask, to give in a later turn (Erlang's `{noreply, …}`
 * then `gen_server:reply(From, …)`): plain data, so it can sit in the state
 * and move with the actor to another executor. The asker's timeout still
 * applies.
 */
export interface PendingReply {
  /** The asker's node and the ask's id there. */
  readonly node: number;
  readonly askId: number;
}

export interface InitContext {
  readonly self: ActorRef;
  readonly parent: ActorRef | undefined;
}

export interface ActorContext<M = unknown> extends InitContext {
  readonly self: ActorRef<M>;
  /** The actor that sent the current message (tell from inside a handler, or an actor's ask). */
  readonly sender: ActorRef | undefined;
  /** True when the current message is an ask that has not been replied to yet. */
  readonly isAsk: boolean;
  /**
   * Answers the current message: settles an ask, or tells the sending actor.
   * Typed by the replies `M` declares when all its members declare one (reply.ts).
   */
  reply<V extends RepliesOf<M>>(value: V): void;
  /** Rejects the current ask with `error` (a tell from an actor gets nothing). */
  fail(error: unknown): void;
  /**
   * Takes the current ask's answer out of this turn: settle it later with
   * `completeReply` / `failReply`, from this actor wherever it runs by then.
   * Undefined when the current message is not an unanswered ask.
   */
  deferReply(): PendingReply | undefined;
  /** Answers an ask whose reply was deferred (a second answer is ignored, as for `reply`). */
  completeReply(pending: PendingReply, value: unknown): void;
  /** Rejects an ask whose reply was deferred. */
  failReply(pending: PendingReply, error: unknown): void;
  spawn<D extends ActorDefinition>(def: D, props: PropsOf<D>, options?: SpawnOptions): ActorRef<MessageOf<D>>;
  /** Stops a child, or this actor when called without a ref. */
  stop(ref?: ActorRef): void;
  watch(ref: ActorRef): void;
  unwatch(ref: ActorRef): void;
  /**
   * Delivers `msg` after `delayMs` on the system clock (to self unless `to`); cancelled when the actor
   * stops, carried along (with the time it has left) when it moves to another executor.
   */
  schedule<T = M>(delayMs: number, msg: T, options?: ScheduleOptions<T>): Cancellable;
  /** Cancels the timer scheduled under `key` (`ScheduleOptions.key`); false when none is armed. */
  cancelSchedule(key: string | number): boolean;
  /** Tells with this actor as sender; safe after an `await` (unlike `ref.tell`). */
  tell<T>(ref: ActorRef<T>, msg: T): void;
  /**
   * Asks with this actor as the waiting party (it joins the wait-for graph
   * while the ask is pending). The reply is typed as for `ref.ask`; `const U`
   * keeps the message's literals (`type: 'get'`), which pick the member of T
   * whose reply it declares, and NoInfer keeps T to the ref's message type.
   */
  ask<T, const U, _Inferred>(
    ref: ActorRef<T>,
    msg: U & NoInfer<T>,
    options?: AskOptions,
  ): Promise<ReplyOf<U & T>>;
  ask<R, T = unknown>(ref: ActorRef<T>, msg: T, options?: AskOptions): Promise<R>;
  /** Children in start order. */
  children(): ActorRef[];
  /** Clock time in ms. */
  now(): number;
}
