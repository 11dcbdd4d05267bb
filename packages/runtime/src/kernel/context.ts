/**
 * What a handler sees: `ctx.self`, `ctx.sender`, `ctx.reply`, and the
 * operations that act on behalf of the running actor. One context object per
 * actor, re-pointed at each message, so handling a message allocates nothing.
 */
import { AskHandle } from './ask.ts';
import type { ActorCell } from './cell.ts';
import { checkPortable } from './codec.ts';
import type { ActorDefinition, MessageOf, PropsOf } from './definition.ts';
import { ConfigError, UnserializableError } from './errors.ts';
import { farKids, farParent } from './far-links.ts';
import { ActorRef, type AskOptions, checkRef } from './ref.ts';
import { RemoteAsk } from './remote-ask.ts';
import type { RepliesOf, ReplyOf } from './reply.ts';
import type { SpawnOptions } from './spawn-options.ts';
import { checkKeys, checkObject, checkRange, MAX_TIMER_MS } from './validate.ts';

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

const NO_SCHEDULE_OPTIONS: ScheduleOptions<any> = Object.freeze({});

export class Context<M = unknown> implements ActorContext<M> {
  /** Meta of the message being handled: sender ref, ask handle, or undefined. */
  meta: unknown = undefined;
  private replied = false;

  constructor(private readonly cell: ActorCell) {}

  get self(): ActorRef<M> {
    return this.cell.ref as ActorRef<M>;
  }

  get parent(): ActorRef | undefined {
    return this.cell.parent?.ref ?? farParent(this.cell) ?? undefined;
  }

  get sender(): ActorRef | undefined {
    const m = this.meta;
    if (m instanceof ActorRef) return m;
    if (m instanceof AskHandle) return m.sender;
    return undefined;
  }

  get isAsk(): boolean {
    return this.meta instanceof AskHandle && !this.meta.settled;
  }

  /** @internal */
  begin(meta: unknown): void {
    this.meta = meta;
    this.replied = false;
  }

  /** @internal true if `reply`/`fail` was called for the current message. */
  get hasReplied(): boolean {
    return this.replied;
  }

  reply<V extends RepliesOf<M>>(value: V): void {
    const m = this.meta;
    this.replied = true;
    if (m instanceof AskHandle) m.resolve(value);
    else if (m instanceof ActorRef) {
      // The meta slot only ever holds a real ref: skip `tell`'s argument check (PingPong's hot path).
      const c = m.cell;
      if (c !== null) c.deliver(value, this.cell.ref);
      else this.cell.host.route(m, value, this.cell.ref);
    } else this.cell.host.noReplyTarget(this.cell, value);
  }

  fail(error: unknown): void {
    const m = this.meta;
    this.replied = true;
    if (m instanceof AskHandle) m.reject(error);
  }

  deferReply(): PendingReply | undefined {
    const m = this.meta;
    if (!(m instanceof AskHandle) || m.settled) return undefined;
    this.replied = true;
    // An asker elsewhere already names its ask by (node, id); a local one is exported like a migrating ask.
    if (m instanceof RemoteAsk) return { node: m.node, askId: m.askId };
    const host = this.cell.host;
    return { node: host.node, askId: host.exportAsk(m) };
  }

  completeReply(pending: PendingReply, value: unknown): void {
    this.pending(pending, 'ctx.completeReply(pending)').resolve(value);
  }

  failReply(pending: PendingReply, error: unknown): void {
    this.pending(pending, 'ctx.failReply(pending)').reject(error);
  }

  private pending(p: PendingReply, path: string): RemoteAsk {
    if (
      p === null ||
      typeof p !== 'object' ||
      !Number.isInteger(p.node) ||
      p.node < 0 ||
      !Number.isInteger(p.askId) ||
      p.askId <= 0
    )
      throw new ConfigError(path, 'a PendingReply from ctx.deferReply()', p);
    const host = this.cell.host;
    if (p.node !== host.node && host.transport === null)
      throw new ConfigError(`${path}.node`, `${host.node} (this system has no executors)`, p.node);
    return new RemoteAsk(p.node, p.askId, undefined, host);
  }

  spawn<D extends ActorDefinition>(
    def: D,
    props: PropsOf<D>,
    options?: SpawnOptions,
  ): ActorRef<MessageOf<D>> {
    return this.cell.host.spawnLocal(def, props, options, this.cell) as ActorRef<MessageOf<D>>;
  }

  stop(ref?: ActorRef): void {
    if (ref === undefined) {
      this.cell.requestStop('stopped');
      return;
    }
    checkRef(ref, 'ctx.stop(ref)');
    this.cell.host.stopRef(ref, 'stopped');
  }

  watch(ref: ActorRef): void {
    checkRef(ref, 'ctx.watch(ref)');
    this.cell.watch(ref);
  }

  unwatch(ref: ActorRef): void {
    checkRef(ref, 'ctx.unwatch(ref)');
    this.cell.unwatch(ref);
  }

  schedule<T = M>(delayMs: number, msg: T, options: ScheduleOptions<T> = NO_SCHEDULE_OPTIONS): Cancellable {
    checkRange(delayMs, 'ctx.schedule(delayMs)', { min: 0, max: MAX_TIMER_MS });
    if (options !== NO_SCHEDULE_OPTIONS) {
      checkObject(options, 'ctx.schedule(options)', '{ to?, repeat?, key? }');
      checkKeys(options, ['to', 'repeat', 'key'], 'ctx.schedule(options)');
      if (options.repeat !== undefined && typeof options.repeat !== 'boolean')
        throw new ConfigError('ctx.schedule(options).repeat', 'a boolean', options.repeat);
    }
    if (options.to !== undefined) checkRef(options.to, 'ctx.schedule(options.to)');
    if (options.repeat && delayMs === 0)
      throw new ConfigError('ctx.schedule(delayMs)', '> 0 when repeat is true', 0);
    const key = options.key;
    if (key !== undefined) checkKey(key, 'ctx.schedule(options.key)');
    const cell = this.cell;
    // A timer moves with its actor: one carrying what cannot cross a thread would pin it (portable.ts).
    if (cell.host.movable && !cell.def.pinned) {
      const p = checkPortable(msg, 'message');
      if (p !== undefined)
        throw new UnserializableError('a scheduled message', p.path, p.found, cell.desc, p.limit);
    }
    const to = options.to === undefined || options.to.id === cell.id ? null : (options.to as ActorRef);
    return cell.schedule(delayMs, msg, to, options.repeat === true ? delayMs : 0, key ?? null);
  }

  cancelSchedule(key: string | number): boolean {
    checkKey(key, 'ctx.cancelSchedule(key)');
    return this.cell.timers?.cancelKey(key) ?? false;
  }

  tell<T>(ref: ActorRef<T>, msg: T): void {
    checkRef(ref, 'ctx.tell(ref)');
    const c = ref.cell;
    if (c !== null) c.deliver(msg, this.cell.ref);
    else this.cell.host.route(ref, msg, this.cell.ref);
  }

  ask<T, const U, _Inferred>(
    ref: ActorRef<T>,
    msg: U & NoInfer<T>,
    options?: AskOptions,
  ): Promise<ReplyOf<U & T>>;
  ask<R, T = unknown>(ref: ActorRef<T>, msg: T, options?: AskOptions): Promise<R>;
  ask(ref: ActorRef, msg: unknown, options?: AskOptions): Promise<unknown> {
    checkRef(ref, 'ctx.ask(ref)');
    return this.cell.host.ask(ref, msg, options, this.cell.ref);
  }

  children(): ActorRef[] {
    const out: ActorRef[] = [];
    if (this.cell.children) for (const c of this.cell.children) out.push(c.ref);
    const far = farKids(this.cell);
    if (far !== null) for (const r of far.values()) out.push(r);
    return out;
  }

  now(): number {
    return this.cell.host.clock.now();
  }
}

function checkKey(key: unknown, path: string): void {
  if (!(typeof key === 'string' || (typeof key === 'number' && Number.isFinite(key))))
    throw new ConfigError(path, 'a string or a finite number', key);
}
