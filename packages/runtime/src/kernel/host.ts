/**
 * Host: everything one thread needs to run actors — the registry, the
 * dispatcher, counters, events and the clock. The main thread's in-thread
 * system is one Host; each executor thread runs another, connected by a
 * Transport (transport.ts). Actor ids embed the host's node number so any
 * thread can tell where an id was born without a lookup.
 *
 * Features are not here: they plug in through the hooks composed when the
 * host starts (`start`, hooks.ts) and keep per-actor state in slots (ext.ts).
 */
import { type NameTable, NameTableFullError, RunQueue } from '@troupe/scheduler';
import { Subject } from 'rxjs';
import { AskHandle, type AskLedger, PendingAsk } from './ask.ts';
import { setShutdownMs } from './budget.ts';
import { type ActorCell, ALIVE, MIGRATED } from './cell.ts';
import type { CellHost } from './cell-host.ts';
import { cellOf } from './cell-of.ts';
import type { Clock } from './clock.ts';
import { deadLetter, deadSystem } from './dead-letter.ts';
import { Cell } from './death-watch.ts';
import type { ActorDefinition } from './definition.ts';
import { isActorDefinition } from './definition.ts';
import { envelop, unwrap } from './envelope.ts';
import {
  ActorStoppedError,
  AskTimeoutError,
  ConfigError,
  DuplicateNameError,
  InitFailedError,
  NameLimitError,
  ShutdownError,
} from './errors.ts';
import {
  type AnyTroupeEvent,
  type DeadLetter,
  type DeadLetterReason,
  EventBus,
  type EventOptions,
  messageType,
} from './events.ts';
import { composeHooks, emptyHooks, type KernelHooks, type Plugin } from './hooks.ts';
import { Lifetime } from './lifetime.ts';
import { type ResolvedMailbox, resolveMailbox } from './mailbox.ts';
import { ActorRef, ASK_KEYS, ASK_TIMEOUT_MS, type AskOptions } from './ref.ts';
import { resolveSpawnOptions, type SpawnOptions } from './spawn-options.ts';
import { Stats } from './stats.ts';
import { type Ack, type SysMsg, stopMsg } from './sysmsg.ts';
import type { Resolver, Transport } from './transport.ts';
import { describeRange, inRange, unknownKey } from './validate.ts';

/** Room for 1024 hosts (main thread + executors) in an id's low bits. */
export const NODE_SPACE = 1024;

/** A feature as this kernel's hosts take it (hooks.ts). */
export type HostPlugin = Plugin<ActorCell, Host>;

export interface HostOptions {
  readonly node: number;
  readonly clock: Clock;
  readonly throughput: number;
  readonly yieldMs: number;
  readonly askTimeoutMs: number;
  readonly mailbox: ResolvedMailbox;
  readonly events?: EventOptions | undefined;
  /** What pending work holds (lifetime.ts); default: the process, through one ref'd handle. */
  readonly lifetime?: Lifetime | undefined;
}

export class Host implements AskLedger, CellHost<ActorCell> {
  /** The cell whose handler is running (synchronously) on this thread. */
  current: ActorCell | null = null;
  readonly stats = new Stats();
  readonly events: EventBus;
  readonly deadLetters = new Subject<DeadLetter>();
  readonly dispatcher: RunQueue<ActorCell>;
  readonly clock: Clock;
  /** Pending work: it keeps the process alive while there is some (lifetime.ts). */
  readonly lifetime: Lifetime;
  /** The clock for timers that are pending work (asks, schedules, retries, restarts): they hold `lifetime`. */
  readonly timers: Clock;
  readonly node: number;
  readonly cells = new Map<number, ActorCell>();
  /** How many of `cells` were born on this node (it is their directory); kept as cells come and go, not counted per read. */
  native = 0;
  readonly names = new Map<string, ActorCell>();
  /** Threaded mode: names are claimed system-wide here (scheduler/names.ts); `names` holds this host's. */
  nameTable: NameTable | null = null;
  readonly definitions = new Map<string, ActorDefinition>();
  /** Top-level actors in spawn order (children of the root guardian). */
  readonly roots = new Set<ActorCell>();
  /** How actors and askers elsewhere are reached (transport.ts); null in one thread. */
  transport: Transport | null = null;
  private resolver: Resolver | null = null;
  /**
   * Actors here may move to another thread (an executor's host): a message a movable actor could not
   * carry along is refused wherever it comes from (portable.ts). False in one thread: nothing moves.
   */
  movable = false;
  /** Asks whose askers live here and whose replies arrive by frame. */
  private readonly exported = new Map<number, AskHandle>();
  private askSeq = 0;
  private seq = 0;
  /** While false, spawns and outside tells are refused (shutdown phase 1). */
  accepting = true;
  readonly options: HostOptions;
  /** What the features plugged in (hooks.ts); frozen by `start`, empty until then. */
  hooks: KernelHooks<ActorCell> = emptyHooks();
  private started = false;

  constructor(options: HostOptions) {
    this.options = options;
    this.node = options.node;
    this.clock = options.clock;
    this.lifetime = options.lifetime ?? new Lifetime();
    this.timers = this.lifetime.keepAlive(options.clock);
    this.events = new EventBus(options.events);
    this.dispatcher = new RunQueue<ActorCell>(options.yieldMs);
  }

  /**
   * Composes the plugins' hooks, once, before this host runs actors (the
   * system's start, an executor's). Definitions registered before are shown
   * to `onDefine` now, as if registered after.
   */
  start(plugins: readonly HostPlugin[]): void {
    if (this.started) throw new ConfigError('host.start', 'a host not started yet', this.node);
    this.started = true;
    this.hooks = composeHooks<ActorCell, Host>(this, plugins);
    const d = this.hooks.onDefine;
    if (d !== null) for (const def of this.definitions.values()) d(def);
  }

  /**
   * Registers the remote seam (an executor's link, the threaded main thread's): where messages
   * for actors without a cell here go, and how ids seen in frames become refs. Once per host.
   */
  connect(transport: Transport, resolver: Resolver): void {
    if (this.transport !== null) throw new ConfigError('host.connect', 'a host not connected yet', this.node);
    this.transport = transport;
    this.resolver = resolver;
  }

  /**
   * Where spawn order comes from. One thread: this host's own counter. With
   * executors: one system-wide sequence in shared memory (the board, one
   * atomic add per spawn, no round trip), so that ids grow with spawn order
   * across threads too and "youngest" (deadlock strategies) means youngest,
   * wherever each actor was born.
   */
  private sequence: () => number = () => ++this.seq;

  /** Threaded mode: draw ids from the system-wide `next` (called before this host spawns anything of its own). */
  useSequence(next: () => number): void {
    this.sequence = next;
  }

  /** The next number of this system's spawn order (actor ids, and deadlock's tracked asks). */
  nextSeq(): number {
    return this.sequence();
  }

  /** Ids of actors spawned here so far, as a sequence number (threaded mode seeds the shared sequence past them). */
  get spawned(): number {
    return this.seq;
  }

  nextId(): number {
    return this.sequence() * NODE_SPACE + this.node;
  }

  /** Registers a definition under its name; another definition with the same name is a ConfigError. */
  register(def: ActorDefinition, path = 'definition'): void {
    if (!isActorDefinition(def)) throw new ConfigError(path, 'an actor definition (defineActor(...))', def);
    const known = this.definitions.get(def.name);
    if (known === undefined) {
      this.definitions.set(def.name, def);
      this.hooks.onDefine?.(def);
    } else if (known !== def)
      throw new ConfigError(`${path}.name`, `a name not used by another definition`, def.name);
  }

  spawnLocal(
    def: ActorDefinition,
    props: unknown,
    options: SpawnOptions | undefined,
    spawner: ActorCell | null,
  ): ActorRef {
    // Constant paths: building them per spawn would allocate two strings an actor.
    const path = spawner ? 'ctx.spawn' : 'system.spawn';
    this.register(def, spawner ? 'ctx.spawn(def)' : 'system.spawn(def)');
    const o = resolveSpawnOptions(options, spawner ? 'ctx.spawn(options)' : 'system.spawn(options)');
    if (!this.accepting) throw new ShutdownError(`${path}(${def.name})`);
    this.hooks.beforeSpawn?.(def);
    let parent = spawner;
    if (o.parent !== undefined) {
      parent = cellOf(o.parent);
      if (parent === null || parent.status !== ALIVE || parent.host !== this)
        throw new ActorStoppedError(o.parent.toJSON(), 'cannot be a parent');
    }
    if (parent !== null && parent.status !== ALIVE) throw new ActorStoppedError(parent.desc, 'stopping');
    const mailbox =
      o.mailbox ?? (def.mailbox ? resolveMailbox(def.mailbox, `${def.name}.mailbox`) : this.options.mailbox);
    const cell = new Cell(
      this,
      def,
      props,
      this.nextId(),
      o.name,
      parent,
      mailbox,
      def.throughput ?? this.options.throughput,
    );
    if (o.shutdownMs !== undefined) setShutdownMs(cell, o.shutdownMs);
    // Claimed before init runs user code: a child init spawns cannot take the name meanwhile.
    if (o.name !== undefined) this.claimName(cell);
    try {
      cell.state = def.behavior.init(props, cell.context());
    } catch (e) {
      this.releaseName(cell);
      this.emit({ type: 'actor.failed', at: this.clock.now(), actor: cell.desc, error: e, phase: 'init' });
      throw new InitFailedError(cell.desc, e);
    }
    this.adopt(cell);
    if (!cell.started) {
      cell.queued = true;
      this.dispatcher.schedule(cell);
    }
    // Features' spawn options (a retry policy), then a placement elsewhere (executors), in plugin order.
    this.hooks.onSpawn?.(cell, o);
    return cell.ref;
  }

  /**
   * Takes `cell`'s name or throws DuplicateNameError: in threaded mode
   * system-wide and at once (the table entry is the claim), else in this
   * host's map. The same id may already hold it (a migrating actor keeps its
   * name: snapshot.ts).
   */
  claimName(cell: ActorCell): void {
    const name = cell.ref.name!;
    const t = this.nameTable;
    if (t === null) {
      const existing = this.names.get(name);
      if (existing !== undefined && existing !== cell && existing.id !== cell.id)
        throw new DuplicateNameError(name, existing.desc);
      this.names.set(name, cell);
      return;
    }
    let held: true | number;
    try {
      held = t.claim(name, cell.id);
    } catch (e) {
      if (e instanceof NameTableFullError) throw new NameLimitError(name, e.capacity);
      throw e;
    }
    if (held !== true)
      throw new DuplicateNameError(name, this.cells.get(held)?.desc ?? { id: held, name, def: '?' });
    this.names.set(name, cell);
  }

  /** Frees `cell`'s name (it stopped, or never started); not when it migrates: it keeps its name. */
  releaseName(cell: ActorCell): void {
    const name = cell.ref.name;
    if (name === undefined) return;
    if (this.names.get(name) === cell) this.names.delete(name);
    this.nameTable?.release(name, cell.id);
  }

  /**
   * Makes a constructed cell reachable: registry, name, parent link, and the
   * `actor.spawned` event unless the actor is not new (`spawned` false: it
   * arrived from another executor, whose `actor.migrated` says so).
   */
  adopt(cell: ActorCell, spawned = true): void {
    this.cells.set(cell.id, cell);
    if (cell.id % NODE_SPACE === this.node) this.native++;
    if (cell.ref.name !== undefined) this.names.set(cell.ref.name, cell);
    if (cell.parent !== null) (cell.parent.children ??= new Set()).add(cell);
    else this.roots.add(cell);
    if (spawned && this.events.hasListeners)
      this.emit({ type: 'actor.spawned', at: this.clock.now(), actor: cell.desc, parent: cell.parent?.desc });
    this.hooks.onAdopt?.(cell);
  }

  unregister(cell: ActorCell): void {
    if (this.cells.delete(cell.id) && cell.id % NODE_SPACE === this.node) this.native--;
    const name = cell.ref.name;
    if (name !== undefined)
      if (cell.status === MIGRATED) {
        if (this.names.get(name) === cell) this.names.delete(name);
      } else this.releaseName(cell);
    if (cell.parent === null) this.roots.delete(cell);
    this.hooks.onGone?.(cell);
  }

  /** A message for a ref without a live local cell. */
  route(ref: ActorRef, msg: unknown, meta: unknown): void {
    const cell = this.cells.get(ref.id);
    if (cell !== undefined) {
      ref.cell = cell; // re-bind: the actor was rehydrated here
      cell.deliver(msg, meta);
      return;
    }
    // Interception (hooks.ts), as `deliver` does for a local cell: one check while none is installed.
    const si = this.hooks.send;
    if (si !== null) meta = envelop(si, ref, msg, meta);
    if (this.transport?.sendUser(ref, msg, meta)) return;
    this.stats.sent++;
    this.deadLetter(msg, meta, 'no-such-actor', ref);
  }

  ask<R>(
    ref: ActorRef,
    msg: unknown,
    options: AskOptions | undefined,
    sender: ActorRef | undefined,
  ): Promise<R> {
    let timeoutMs = this.options.askTimeoutMs;
    if (options !== undefined) {
      if (options === null || typeof options !== 'object')
        return Promise.reject(new ConfigError('ask(options)', '{ timeoutMs?, reentrant? }', options));
      for (const k in options)
        if (k !== 'timeoutMs' && k !== 'reentrant')
          return Promise.reject(unknownKey(options, k, ASK_KEYS, 'ask(options)'));
      if (options.timeoutMs !== undefined) {
        timeoutMs = options.timeoutMs;
        if (!inRange(timeoutMs, ASK_TIMEOUT_MS))
          return Promise.reject(
            new ConfigError('ask(options).timeoutMs', describeRange(ASK_TIMEOUT_MS), timeoutMs),
          );
      }
      if (options.reentrant !== undefined && typeof options.reentrant !== 'boolean')
        return Promise.reject(new ConfigError('ask(options).reentrant', 'a boolean', options.reentrant));
    }
    if (!this.accepting && sender === undefined) {
      // Shutdown phase 1: an ask from outside any actor is refused, and accounted for.
      this.stats.sent++;
      this.deadLetter(msg, undefined, 'shutdown', ref);
      return Promise.reject(new ShutdownError(`ask(${messageType(msg)})`));
    }
    // A feature may take the ask over (deadlock's wait-for graph): one check while none does.
    const ai = this.hooks.ask;
    if (ai !== null) {
      const p = ai(ref, msg, timeoutMs, options, sender);
      if (p !== undefined) return p as Promise<R>;
    }
    return new Promise<R>((resolve, reject) => {
      const a = new PendingAsk(resolve, reject, sender, this.timers);
      a.timer = this.timers.setTimeout(
        () => a.reject(new AskTimeoutError(ref.toJSON(), timeoutMs, messageType(msg))),
        timeoutMs,
      );
      const c = ref.cell;
      if (c !== null) c.deliver(msg, a);
      else this.route(ref, msg, a);
    });
  }

  /**
   * Gives an ask handle an id so a reply can come back by frame (cross-thread
   * asks, migration). One id per handle: exporting it again returns the same.
   * Settling the handle (reply, timeout, rejection) takes it out of the ledger
   * (`forgetExported`), so the ledger holds exactly the asks still pending.
   */
  exportAsk(handle: AskHandle): number {
    if (handle.exportId !== 0 && handle.ledger === this) return handle.exportId;
    const id = ++this.askSeq;
    // Already settled (a timed-out ask whose message is still routed): a reply to it goes nowhere.
    if (handle.settled) return id;
    handle.exportId = id;
    handle.ledger = this;
    this.exported.set(id, handle);
    return id;
  }

  /** The id `handle` was exported under (deadlock resolution withdraws its message). */
  exportedIdOf(handle: AskHandle): number | undefined {
    return handle.ledger === this ? handle.exportId : undefined;
  }

  /** Asks exported and not settled yet (tests check that settled asks leave nothing). */
  get exportedCount(): number {
    return this.exported.size;
  }

  /** A reply frame arrived for an exported ask. */
  settleExported(askId: number, ok: boolean, value: unknown): void {
    const h = this.exported.get(askId);
    if (h === undefined) return; // settled already (timed out, or settled twice)
    this.forgetExported(askId);
    if (ok) h.resolve(value);
    else h.reject(value);
  }

  /** AskLedger: the handle exported as `id` settled. */
  forgetExported(id: number): void {
    if (this.exported.delete(id)) this.hooks.onAskSettled?.(id);
  }

  /** Drops exported asks that settled without telling the ledger (a handle type other than PendingAsk). */
  collectExported(): void {
    for (const [id, h] of this.exported) if (h.settled) this.forgetExported(id);
  }

  /**
   * Counts, logs and publishes a message that will not be handled, and rejects it when it is an
   * ask (dead-letter.ts).
   */
  deadLetter(
    msg: unknown,
    meta: unknown,
    reason: DeadLetterReason,
    recipient?: ActorCell | ActorRef,
    error?: unknown,
  ): void {
    deadLetter(this, msg, meta, reason, recipient, error);
  }

  noReplyTarget(cell: ActorCell, value: unknown): void {
    this.stats.sent++;
    this.deadLetter(value, cell.ref, 'no-reply-target', undefined);
  }

  /**
   * Sends a system message (sysmsg.ts) to the actor behind `ref`: its cell
   * here, or the transport to wherever it lives. A ref may still point at the
   * cell an actor left (MIGRATED): the message must follow the actor.
   */
  sendSystem(ref: ActorRef, m: SysMsg, ack?: Ack): void {
    const c = cellOf(ref) ?? this.cells.get(ref.id);
    if (c !== undefined && c !== null && c.status !== MIGRATED) c.system(m, ack);
    else if (this.transport !== null) this.transport.sendSystem(ref, m, ack);
    else deadSystem(this, ref, m, ack, 'no-such-actor');
  }

  stopRef(ref: ActorRef, reason: string): void {
    this.sendSystem(ref, stopMsg(reason));
  }

  /** Resolves a ref for an id seen in a frame or snapshot. */
  refFor(id: number, name: string | undefined, def: string): ActorRef {
    const cell = this.cells.get(id);
    if (cell !== undefined) return cell.ref;
    return this.resolver?.(id, name, def) ?? new ActorRef(id, name, def, this, null);
  }

  typeOf(msg: unknown): string {
    return messageType(msg);
  }

  emit(e: AnyTroupeEvent): void {
    this.events.emit(e);
  }

  emitSent(cell: ActorCell, msg: unknown, meta: unknown): void {
    meta = unwrap(meta);
    const from = meta instanceof ActorRef ? meta : meta instanceof AskHandle ? meta.sender : undefined;
    this.emit({
      type: 'message.sent',
      at: this.clock.now(),
      to: cell.desc,
      from: from?.toJSON(),
      messageType: messageType(msg),
      ask: meta instanceof AskHandle,
    });
  }

  /** Emits `message.received`; returns the start time for the processed event. */
  emitReceived(cell: ActorCell, msg: unknown): number {
    const at = this.clock.now();
    this.emit({ type: 'message.received', at, actor: cell.desc, messageType: messageType(msg) });
    return performance.now();
  }

  emitProcessed(cell: ActorCell, msg: unknown, t0: number): void {
    this.emit({
      type: 'message.processed',
      at: this.clock.now(),
      actor: cell.desc,
      messageType: messageType(msg),
      durationMs: performance.now() - t0,
    });
  }
}

// A system message's dead letter lives with the others (dead-letter.ts); executors/items.ts imports it from here.
export { deadSystem } from './dead-letter.ts';
