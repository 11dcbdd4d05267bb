/**
 * What a handler sees: `ctx.self`, `ctx.sender`, `ctx.reply`, and the
 * operations that act on behalf of the running actor. One context object per
 * actor, re-pointed at each message, so handling a message allocates nothing.
 */

import type {
  ActorContext,
  ActorDefinition,
  Cancellable,
  MessageOf,
  PendingReply,
  PropsOf,
  ScheduleOptions,
} from './actor.ts';
import { AskHandle } from './ask.ts';
import type { ActorCell } from './cell.ts';
import { checkPortable } from './codec.ts';
import { ConfigError, UnserializableError } from './errors.ts';
import { farKids, farParent } from './far-links.ts';
import { ActorRef, type AskOptions, checkRef } from './ref.ts';
import { RemoteAsk } from './remote-ask.ts';
import type { RepliesOf, ReplyOf } from './reply.ts';
import type { SpawnOptions } from './spawn-options.ts';
import { checkKeys, checkObject, checkRange, MAX_TIMER_MS } from './validate.ts';

// The handler-facing interfaces live in actor.ts (types only, below the cell); importers of context.ts keep them.
export type { ActorContext, Cancellable, InitContext, PendingReply, ScheduleOptions } from './actor.ts';

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
