/**
 * ActorCell: one actor's state, mailbox and lifecycle, run by a dispatcher.
 *
 * Invariants:
 * 1. At most one message (or hook) is in progress: while a handler's promise
 *    is pending the cell is `busy` and is not scheduled.
 * 2. System messages are drained before every user message, so stop, watch
 *    and supervision overtake queued user work.
 * 3. Every user message that enters `deliver` is either processed (counted in
 *    `processed`) or dead-lettered with a reason — including those still
 *    queued when the actor stops.
 * 4. Stop order: children first (all of them terminated), then `onStop`, then
 *    watchers are notified and the name is released.
 */

import type { WaitNode } from '../features/deadlock/wait-for-graph.ts';
import type { RetryPolicy } from '../features/retry/retry.ts';
import { AskHandle } from './ask.ts';
import type { Cancellable } from './context.ts';
import { Context } from './context.ts';
import type { ActorDefinition, Behavior } from './definition.ts';
import { type ActorDescription, ActorFailedError, InitFailedError } from './errors.ts';
import type { DeadLetterReason } from './events.ts';
import type { Host } from './host.ts';
import type { ResolvedMailbox } from './mailbox.ts';
import { refuseUnportable } from './portable.ts';
import { PairQueue } from './queue.ts';
import { ActorRef } from './ref.ts';
import { Terminated } from './terminated.ts';
import { ActorTimers, type TimerKey } from './timers.ts';

export const ALIVE = 0;
export const STOPPING = 1;
export const STOPPED = 2;
/** Moved to another executor; the ref routes through the host. */
export const MIGRATED = 3;

/**
 * What `kill()` did to the actor's onStop: `none` (its definition has none), `skipped` (it never
 * started), `abandoned` (it had started and not finished; its late completion changes nothing).
 */
export type OnStopFate = 'none' | 'skipped' | 'abandoned';

/** `hold` bits. Supervision suspended the actor (a failure awaits its parent's directive). */
export const HOLD_SUPERVISOR = 1;
/** A retried message waits at the mailbox front for its backoff delay. */
export const HOLD_RETRY_WAIT = 2;
/** The mailbox front is a retried message: process it in the slow path, with its attempt number. */
export const HOLD_RETRY_HEAD = 4;
/**
 * Arrived from another executor and may not act yet (executors/sender-sync.ts): no turn at all — no
 * system message, no user message, no timer — until what it sent from the executor it left was read.
 */
export const HOLD_SYNC = 8;
const HOLD_BLOCK = HOLD_SUPERVISOR | HOLD_RETRY_WAIT | HOLD_SYNC;

type SysKind = 'stop' | 'terminated' | 'run';

export class ActorCell {
  readonly ref: ActorRef;
  readonly behavior: Behavior<unknown, unknown, unknown>;
  state: unknown = undefined;
  status = ALIVE;
  /** In the dispatcher's ready queue. */
  queued = false;
  /** A handler or hook promise is pending. */
  busy = false;
  /** onStart has run for the current incarnation. */
  started: boolean;
  readonly mailbox = new PairQueue<unknown, unknown>();
  sys: PairQueue<SysKind, unknown> | null = null;
  children: Set<ActorCell> | null = null;
  /** Links by ref (executors/links.ts) in one slot, null in one thread: an idle actor stays small. */
  private far: { parent: ActorRef | null; kids: Map<number, ActorRef> | null; sup: boolean } | null = null;
  /**
   * Who watches this actor, by id: a ref object is not an identity, since an actor that migrates
   * away and back gets a new one (and so does a watcher).
   */
  watchers: Map<number, ActorRef> | null = null;
  /** Whom this actor watches, by id (see `watchers`). */
  watching: Map<number, ActorRef> | null = null;
  /** Timers it owns (ctx.schedule, machine delays, a retry's wait), created on first use; they move with it. */
  timers: ActorTimers | null = null;
  private ctxObj: Context | null = null;
  stopReason = '';
  private stopHookStarted = false;
  /** Who awaits `whenStopped`: one function (the common case, no array) or several. */
  private stopWaiters: (() => void) | Array<() => void> | null = null;
  readonly throughput: number;
  readonly capacity: number;
  readonly overflow: ResolvedMailbox['overflow'];
  /** Count of restarts in this incarnation's life (for events). */
  restarts = 0;
  /**
   * Why user messages are held (HOLD_* bits); 0 on the fast path. Read once
   * per turn, never per message.
   */
  hold = 0;
  /** Message retry policy (definition or spawn `retry`), null when none. */
  retry: RetryPolicy | null = null;
  /** Attempt number of the retried message at the mailbox front (HOLD_RETRY_HEAD). */
  private retryAttempt = 0;
  /** Set by supervision: stops children in its own order (reverse start, with shutdownMs) instead of all at once. */
  stopChildren: ((cell: ActorCell) => void) | null = null;
  /** Killed by `kill()`: a late settle of a pending handler or hook must change nothing. */
  private killed = false;
  /** The user message whose async handler is pending (so `kill` can dead-letter it). */
  private inflight = false;
  private inflightMsg: unknown = undefined;
  private inflightMeta: unknown = undefined;
  /** Bumped by `abortHandler`: a pending handler that captured an older value settles into nothing. */
  private handlerEpoch = 0;
  /** @internal this actor's node in the wait-for graph (deadlock/), so an edge looks nothing up. */
  waitNode: WaitNode | null = null;

  constructor(
    readonly host: Host,
    readonly def: ActorDefinition,
    readonly props: unknown,
    id: number,
    name: string | undefined,
    /** Not readonly: a migration turns the link into its remote form (executors/links.ts). */
    public parent: ActorCell | null,
    mailbox: ResolvedMailbox,
    throughput: number,
  ) {
    this.behavior = def.behavior;
    this.ref = new ActorRef(id, name, def.name, host, this);
    this.capacity = mailbox.capacity;
    this.overflow = mailbox.overflow;
    this.throughput = throughput;
    this.started = def.behavior.onStart === undefined;
  }

  get id(): number {
    return this.ref.id;
  }

  /** Parent on another executor, or linked by ref since a migration (executors/links.ts). */
  get remoteParent(): ActorRef | null {
    return this.far === null ? null : this.far.parent;
  }

  set remoteParent(r: ActorRef | null) {
    (this.far ??= { parent: null, kids: null, sup: false }).parent = r;
  }

  /** The parent linked by ref supervises its children (`{ supervision }`): failures go to it as data. */
  get remoteSupervised(): boolean {
    return this.far?.sup === true;
  }

  set remoteSupervised(v: boolean) {
    (this.far ??= { parent: null, kids: null, sup: false }).sup = v;
  }

  /** Children linked by ref (on other executors, or since a migration), by id (executors/links.ts). */
  get remoteKids(): Map<number, ActorRef> | null {
    return this.far === null ? null : this.far.kids;
  }

  set remoteKids(k: Map<number, ActorRef> | null) {
    (this.far ??= { parent: null, kids: null, sup: false }).kids = k;
  }

  get desc(): ActorDescription {
    return this.ref.toJSON();
  }

  context(): Context {
    return this.ctxObj ?? (this.ctxObj = new Context(this));
  }

  /** Entry point of every user message sent to this cell from its own thread. Never throws. */
  deliver(msg: unknown, meta: unknown): void {
    // Threaded mode: one rule for values that cannot cross a thread, wherever the sender is (portable.ts).
    if (this.host.movable) {
      const t = typeof msg;
      if (
        (t === 'object' ? msg !== null : t === 'string' || t === 'function' || t === 'symbol') &&
        refuseUnportable(this, msg, meta)
      )
        return;
    }
    this.accept(msg, meta);
  }

  /** `deliver` for a message decoded from another thread's frame: portable by construction. Never throws. */
  accept(msg: unknown, meta: unknown): void {
    const host = this.host;
    host.stats.sent++;
    if (this.status !== ALIVE) {
      if (this.status === MIGRATED) {
        host.stats.sent--; // counted again where it is routed
        host.route(this.ref, msg, meta);
        return;
      }
      host.deadLetter(msg, meta, this.deadReason(), this);
      return;
    }
    const mb = this.mailbox;
    if (mb.length >= this.capacity && !this.makeRoom(msg, meta)) return;
    mb.push(msg, meta);
    if (host.events.perMessage) host.emitSent(this, msg, meta);
    if (!this.queued && !this.busy) {
      this.queued = true;
      host.dispatcher.schedule(this);
    }
  }

  /** Applies the overflow policy; false when the new message was refused. */
  private makeRoom(msg: unknown, meta: unknown): boolean {
    const host = this.host;
    switch (this.overflow) {
      case 'drop-oldest': {
        const old = this.mailbox.shift();
        host.deadLetter(old, this.mailbox.meta, 'dropped', this);
        return true;
      }
      case 'drop-newest':
        host.deadLetter(msg, meta, 'dropped', this);
        return false;
      default:
        host.deadLetter(msg, meta, 'mailbox-full', this);
        return false;
    }
  }

  /** Queues a system message; it runs before any further user message. */
  sysPush(kind: SysKind, payload: unknown): void {
    if (this.status === STOPPED || this.status === MIGRATED) return;
    (this.sys ??= new PairQueue()).push(kind, payload);
    if (!this.queued && !this.busy) {
      this.queued = true;
      this.host.dispatcher.schedule(this);
    }
  }

  /** Runs a callback as a system message (supervision and other runtime modules). */
  runAsSystem(fn: (cell: ActorCell) => void): void {
    this.sysPush('run', fn);
  }

  /** One scheduling turn: system messages, onStart, then up to `throughput` user messages. */
  run(): void {
    // Scheduled by a self-send from its own handler before that handler went
    // async: running now would break invariant 1; the settle reschedules it.
    // Held for a sender sync: nothing runs (messages queue; `releaseSync` reschedules). Once per turn.
    if (this.busy || (this.hold & HOLD_SYNC) !== 0) return;
    const host = this.host;
    host.current = this;
    try {
      if (this.sys !== null && this.sys.length > 0 && !this.runSystem()) return;
      if (this.hold !== 0 && !this.holdTurn()) return;
      if (!this.started && !this.start()) return;
      if (this.status !== ALIVE) return;
      const mb = this.mailbox;
      const beh = this.behavior;
      const ctx = this.context();
      const stats = host.stats;
      const events = host.events;
      const urgent = host.dispatcher.urgent;
      let n = this.throughput;
      while (n-- > 0 && mb.length > 0) {
        const msg = mb.shift();
        const meta = mb.meta;
        ctx.begin(meta);
        const timed = events.perMessage && events.sampled();
        const t0 = timed ? host.emitReceived(this, msg) : 0;
        let r: unknown;
        try {
          r = beh.receive(this.state, msg, ctx);
        } catch (e) {
          this.failed(e, msg, meta, 'receive');
          // A restart (started = false) must run onStart before the next message.
          if (this.busy || this.status !== ALIVE || this.hold !== 0 || !this.started) return;
          continue;
        }
        if (r instanceof Promise) {
          this.awaitHandler(r, msg, meta, timed, t0);
          return;
        }
        this.state = r;
        stats.processed++;
        if (timed) host.emitProcessed(this, msg, t0);
        // A system message may restart (onStart first) or hold the actor: end the turn then.
        if (
          this.sys !== null &&
          this.sys.length > 0 &&
          (!this.runSystem() || !this.started || this.hold !== 0)
        )
          return;
        // Executors: another thread waits on this one (steal, migration step): a long turn ends here.
        if (urgent !== null && (n & 15) === 0 && urgent()) {
          host.dispatcher.preempt = true;
          return;
        }
      }
    } finally {
      host.current = null;
      this.reschedule();
    }
  }

  reschedule(): void {
    if (this.queued || this.busy || (this.hold & HOLD_SYNC) !== 0) return;
    const st = this.status;
    if (st === STOPPED || st === MIGRATED) return;
    if (
      (this.sys !== null && this.sys.length > 0) ||
      (st === ALIVE && (this.hold & HOLD_BLOCK) === 0 && (this.mailbox.length > 0 || !this.started))
    ) {
      this.queued = true;
      this.host.dispatcher.schedule(this);
    }
  }

  /**
   * Slow path of a turn while `hold` is set: false ends the turn (suspended,
   * waiting for a retry delay, busy or gone). Otherwise processes the retried
   * message at the front with its attempt number, so the hot loop never
   * tracks attempts.
   */
  private holdTurn(): boolean {
    if (this.status !== ALIVE || (this.hold & HOLD_BLOCK) !== 0) return false;
    this.hold &= ~HOLD_RETRY_HEAD;
    const attempt = this.retryAttempt;
    this.retryAttempt = 0;
    const mb = this.mailbox;
    if (mb.length === 0) return true;
    const msg = mb.shift();
    const meta = mb.meta;
    const ctx = this.context();
    ctx.begin(meta);
    let r: unknown;
    try {
      r = this.behavior.receive(this.state, msg, ctx);
    } catch (e) {
      this.failed(e, msg, meta, 'receive', attempt);
      return !this.busy && this.status === ALIVE && this.hold === 0;
    }
    if (r instanceof Promise) {
      this.awaitHandler(r, msg, meta, false, 0, attempt);
      return false;
    }
    this.state = r;
    this.host.stats.processed++;
    return true;
  }

  /** Puts a failed message back at the front and holds the mailbox for `delayMs` (retry protocol, retry.ts). */
  private requeueForRetry(
    msg: unknown,
    meta: unknown,
    attempt: number,
    delayMs: number,
    error: unknown,
  ): void {
    const host = this.host;
    this.mailbox.unshift(msg, meta);
    this.retryAttempt = attempt;
    this.hold |= HOLD_RETRY_HEAD | HOLD_RETRY_WAIT;
    host.emit({
      type: 'actor.message-retried',
      at: host.clock.now(),
      actor: this.desc,
      messageType: host.typeOf(msg),
      attempt,
      delayMs,
      error,
    });
    // The wait is one of the actor's timers: it moves with the actor (snapshot.ts).
    if (delayMs <= 0) this.hold &= ~HOLD_RETRY_WAIT;
    else (this.timers ??= new ActorTimers(this)).holdRetry(delayMs);
  }

  /** A retried message's delay is over (timers.ts): it runs next. */
  endRetryWait(): void {
    this.hold &= ~HOLD_RETRY_WAIT;
    this.reschedule();
  }

  /** The retry in progress, for a snapshot: the front message's attempt and the ms left of its wait (-1: none). */
  retryState(): readonly [number, number] | null {
    if ((this.hold & HOLD_RETRY_HEAD) === 0) return null;
    const left = (this.hold & HOLD_RETRY_WAIT) === 0 ? -1 : (this.timers?.retryLeft() ?? 0);
    return [this.retryAttempt, left];
  }

  /** Resumes a retry taken along in a snapshot (`retryState`). */
  restoreRetry(attempt: number, waitMs: number): void {
    this.retryAttempt = attempt;
    this.hold |= HOLD_RETRY_HEAD;
    if (waitMs < 0) return;
    this.hold |= HOLD_RETRY_WAIT;
    (this.timers ??= new ActorTimers(this)).holdRetry(waitMs);
  }

  /** Threaded mode: the actor arrived but may not act yet (executors/sender-sync.ts); its timers wait too. */
  holdForSync(): void {
    this.hold |= HOLD_SYNC;
    this.timers?.pause();
  }

  /** Ends `holdForSync`: its timers run on with the time they had left, and so does the actor. */
  releaseSync(): void {
    if ((this.hold & HOLD_SYNC) === 0) return;
    this.hold &= ~HOLD_SYNC;
    this.timers?.resume();
    this.reschedule();
  }

  /** Supervision: hold user messages until `resumeHeld` (the failed actor awaits its parent's directive). */
  suspend(): void {
    this.hold |= HOLD_SUPERVISOR;
  }

  /** Supervision: release a `suspend` (resume directive, or before a restart). */
  resumeHeld(): void {
    this.hold &= ~HOLD_SUPERVISOR;
    this.reschedule();
  }

  /** A handler or hook promise is pending: pending work holds the process (lifetime.ts). */
  private beginAsync(): void {
    if (!this.busy) this.host.lifetime.hold();
    this.busy = true;
  }

  /** It settled, or was abandoned (kill, deadlock abort): a second call releases nothing. */
  private endAsync(): void {
    if (this.busy) this.host.lifetime.release();
    this.busy = false;
  }

  private awaitHandler(
    p: Promise<unknown>,
    msg: unknown,
    meta: unknown,
    timed: boolean,
    t0: number,
    attempt = 0,
  ): void {
    this.beginAsync();
    this.inflight = true;
    this.inflightMsg = msg;
    this.inflightMeta = meta;
    const epoch = this.handlerEpoch;
    // Deadlock detection and stall watch learn of blocked handlers here, off the sync path.
    const dl = this.host.deadlock;
    if (dl !== null) dl.onAwait(this, msg);
    p.then(
      (s) => {
        if (this.killed || epoch !== this.handlerEpoch) return; // killed or aborted: dead-lettered already
        if (dl !== null) dl.onHandlerDone(this);
        this.inflight = false;
        this.inflightMsg = this.inflightMeta = undefined;
        this.endAsync();
        if (this.status === ALIVE) this.state = s;
        this.host.stats.processed++;
        if (timed) this.host.emitProcessed(this, msg, t0);
        this.reschedule();
      },
      (e) => {
        if (this.killed || epoch !== this.handlerEpoch) return;
        if (dl !== null) dl.onHandlerDone(this);
        this.inflight = false;
        this.inflightMsg = this.inflightMeta = undefined;
        this.endAsync();
        this.failed(e, msg, meta, 'receive', attempt);
        this.reschedule();
      },
    );
  }

  /**
   * Abandons the pending async handler (a deadlock victim): its message is
   * dead-lettered with `reason` (an ask on it rejects with `error`), the cell
   * is free for its restart, and the handler's late settle changes nothing.
   */
  abortHandler(reason: DeadLetterReason, error: unknown): boolean {
    if (!this.inflight || this.killed) return false;
    this.handlerEpoch++;
    this.inflight = false;
    this.endAsync();
    const msg = this.inflightMsg;
    const meta = this.inflightMeta;
    this.inflightMsg = this.inflightMeta = undefined;
    this.host.deadLetter(msg, meta, reason, this, error);
    return true;
  }

  /** Drains system messages; false when the cell must not continue this turn (busy or gone). */
  private runSystem(): boolean {
    const sys = this.sys!;
    while (sys.length > 0) {
      const kind = sys.shift();
      const payload = sys.meta;
      switch (kind) {
        case 'stop':
          this.beginStop(payload as string);
          break;
        case 'terminated':
          this.onWatchedTerminated(payload as Terminated);
          break;
        case 'run':
          (payload as (c: ActorCell) => void)(this);
          break;
      }
      if (this.busy || this.status === STOPPED || this.status === MIGRATED || (this.hold & HOLD_BLOCK) !== 0)
        return false;
    }
    return true;
  }

  /** Runs onStart; false if it went async or failed. */
  private start(): boolean {
    this.started = true;
    const hook = this.behavior.onStart;
    if (hook === undefined) return true;
    const ctx = this.context();
    ctx.begin(undefined);
    let r: unknown;
    try {
      r = hook(this.state, ctx);
    } catch (e) {
      this.failed(e, undefined, undefined, 'start');
      return false;
    }
    if (r instanceof Promise) {
      this.beginAsync();
      r.then(
        (s) => {
          this.endAsync();
          if (s !== undefined && this.status === ALIVE) this.state = s;
          this.reschedule();
        },
        (e) => {
          this.endAsync();
          this.failed(e, undefined, undefined, 'start');
          this.reschedule();
        },
      );
      return false;
    }
    if (r !== undefined) this.state = r;
    return true;
  }

  private onWatchedTerminated(report: Terminated): void {
    if (this.status !== ALIVE) return;
    const mine = this.watching?.get(report.ref.id);
    if (mine === undefined) return; // unwatched meanwhile: Akka drops it too
    this.watching!.delete(report.ref.id);
    // The watcher sees the ref it watched (its own object), whichever object the report carried.
    const t = mine === report.ref ? report : new Terminated(mine, report.reason);
    const beh = this.behavior;
    const ctx = this.context();
    ctx.begin(undefined);
    let r: unknown;
    try {
      r =
        beh.onTerminated !== undefined
          ? beh.onTerminated(this.state, t, ctx)
          : beh.receive(this.state, t, ctx);
    } catch (e) {
      this.failed(e, undefined, undefined, 'receive');
      return;
    }
    if (r instanceof Promise) {
      this.beginAsync();
      r.then(
        (s) => {
          this.endAsync();
          if (this.status === ALIVE) this.state = s;
          this.reschedule();
        },
        (e) => {
          this.endAsync();
          this.failed(e, undefined, undefined, 'receive');
          this.reschedule();
        },
      );
      return;
    }
    this.state = r;
  }

  /**
   * A handler or hook threw. The message goes to dead letters (`failed`),
   * an ask on it rejects with ActorFailedError, and the host's failure
   * policy (supervision) decides what happens to the actor.
   */
  failed(
    error: unknown,
    msg: unknown,
    meta: unknown,
    phase: 'start' | 'receive' | 'stop',
    attempt = 0,
  ): void {
    if (this.killed) return; // a hook that settled after kill(): the actor is gone
    const host = this.host;
    const isMsg = phase === 'receive' && (msg !== undefined || meta !== undefined);
    if (isMsg && this.retry !== null && this.status === ALIVE) {
      const delay = this.retry.next(error, attempt);
      if (delay >= 0) {
        this.requeueForRetry(msg, meta, attempt + 1, delay, error);
        return;
      }
    }
    if (isMsg)
      // The error object (a stack capture) is only built when an asker will see it.
      host.deadLetter(
        msg,
        meta,
        'failed',
        this,
        meta instanceof AskHandle ? new ActorFailedError(this.desc, error) : undefined,
      );
    host.emit({
      type: 'actor.failed',
      at: host.clock.now(),
      actor: this.desc,
      error,
      phase,
      messageType: msg === undefined ? undefined : host.typeOf(msg),
    });
    if (phase === 'stop') return;
    host.failurePolicy(this, error, phase);
  }

  /** Re-initialises state from props (restart directive); onStart runs again before the next message. */
  restart(reason: string): boolean {
    if (this.status !== ALIVE) return false;
    const host = this.host;
    try {
      this.state = this.behavior.init(this.props, this.context());
    } catch (e) {
      host.emit({ type: 'actor.failed', at: host.clock.now(), actor: this.desc, error: e, phase: 'init' });
      host.failurePolicy(this, e, 'init'); // core default stops ('init-failed'); supervision counts it
      return false;
    }
    this.restarts++;
    this.hold &= HOLD_SYNC; // a fresh incarnation: no supervision hold, no retry in progress
    this.retryAttempt = 0;
    this.timers?.endRetry();
    this.started = this.behavior.onStart === undefined;
    host.emit({ type: 'actor.restarted', at: host.clock.now(), actor: this.desc, reason });
    this.reschedule();
    return true;
  }

  requestStop(reason: string): void {
    if (this.status !== ALIVE) return;
    this.sysPush('stop', reason);
  }

  /** Resolves when the actor has terminated. */
  whenStopped(): Promise<void> {
    if (this.status === STOPPED) return Promise.resolve();
    return new Promise((resolve) => {
      const w = this.stopWaiters;
      if (w === null) this.stopWaiters = resolve;
      else if (typeof w === 'function') this.stopWaiters = [w, resolve];
      else w.push(resolve);
    });
  }

  beginStop(reason: string): void {
    if (this.status !== ALIVE) return;
    this.status = STOPPING;
    this.stopReason = reason;
    this.cancelTimers();
    const far = this.remoteKids;
    const local = this.children !== null && this.children.size > 0;
    // A supervisor stops its children, here or remote, one by one in its own order.
    if (this.stopChildren !== null && (local || (far !== null && far.size > 0))) {
      this.stopChildren(this);
      return; // continues in childStopped / remoteChildStopped once the last child is gone
    }
    if (far !== null && far.size > 0) {
      // Links protocol step 3 (executors/links.ts): remote kids stop too; onStop waits for each child-gone.
      for (const k of far.values()) this.host.stopRef(k, 'parent-stopped');
      if (!local) return;
    }
    if (local) {
      for (const c of this.children!) c.requestStop('parent-stopped');
      return; // continues in childStopped once the last child is gone
    }
    this.runStopHook();
  }

  childStopped(child: ActorCell): void {
    this.children?.delete(child);
    this.host.childStopped(this, child);
    if (
      this.status === STOPPING &&
      !this.stopHookStarted &&
      (this.children === null || this.children.size === 0) &&
      (this.far === null || this.far.kids === null || this.far.kids.size === 0)
    )
      this.runStopHook();
  }

  /** Links protocol step 4 (executors/links.ts): a child linked by ref has terminated. */
  remoteChildStopped(id: number, reason: string): void {
    const far = this.remoteKids;
    const ref = far?.get(id);
    if (far === null || ref === undefined) return;
    far.delete(id);
    this.host.onRemoteChildStopped?.(this, ref, reason);
    if (
      this.status === STOPPING &&
      !this.stopHookStarted &&
      far.size === 0 &&
      (this.children === null || this.children.size === 0)
    )
      this.runStopHook();
  }

  private runStopHook(): void {
    this.stopHookStarted = true;
    const hook = this.behavior.onStop;
    if (hook === undefined) {
      this.finalize();
      return;
    }
    const ctx = this.context();
    ctx.begin(undefined);
    let r: unknown;
    try {
      r = hook(this.state, ctx);
    } catch (e) {
      this.failed(e, undefined, undefined, 'stop');
      this.finalize();
      return;
    }
    if (r instanceof Promise) {
      this.beginAsync();
      r.then(
        () => this.finalize(),
        (e) => {
          this.failed(e, undefined, undefined, 'stop');
          this.finalize();
        },
      );
      return;
    }
    this.finalize();
  }

  /**
   * Brutal kill (shutdown phase 4, OTP `brutal_kill`): terminates now,
   * children first, without waiting for a pending handler or running onStop.
   * The message whose handler is pending is dead-lettered; the late settle of
   * its promise (or of a pending hook) is ignored.
   */
  kill(reason: string): void {
    const st = this.status;
    if (st === STOPPED || st === MIGRATED) return;
    const onStop: OnStopFate =
      this.behavior.onStop === undefined ? 'none' : this.stopHookStarted ? 'abandoned' : 'skipped';
    if (st === ALIVE) {
      this.status = STOPPING;
      this.stopReason = reason;
      this.cancelTimers();
    }
    this.killed = true;
    this.stopHookStarted = true; // a child's childStopped must not start onStop now
    if (this.children !== null) for (const c of [...this.children]) c.kill(reason);
    if (this.remoteKids !== null) for (const k of this.remoteKids.values()) this.host.stopRef(k, reason);
    if (this.inflight) {
      this.inflight = false;
      this.host.deadLetter(this.inflightMsg, this.inflightMeta, this.deadReason(), this);
      this.inflightMsg = this.inflightMeta = undefined;
    }
    this.finalize();
    this.host.onKilled?.(this, onStop);
  }

  /** During shutdown (intake closed) every message a stopped actor refuses counts as `shutdown`. */
  private deadReason(): DeadLetterReason {
    return this.stopReason === 'shutdown' || !this.host.accepting ? 'shutdown' : 'stopped';
  }

  private finalize(): void {
    if (this.status === STOPPED) return; // an onStop that settled after kill()
    const host = this.host;
    this.endAsync();
    this.status = STOPPED;
    const reason = this.deadReason();
    const mb = this.mailbox;
    while (mb.length > 0) {
      const msg = mb.shift();
      host.deadLetter(msg, mb.meta, reason, this);
    }
    mb.clear();
    this.sys = null;
    this.ctxObj = null;
    host.unregister(this);
    if (this.watching !== null) {
      for (const w of this.watching.values()) w.cell?.watchers?.delete(this.id);
      this.watching = null;
    }
    if (this.watchers !== null) {
      const t = new Terminated(this.ref, this.stopReason);
      for (const w of this.watchers.values()) host.deliverTerminated(w, t);
      this.watchers = null;
    }
    this.state = undefined;
    if (host.events.hasListeners)
      host.emit({ type: 'actor.stopped', at: host.clock.now(), actor: this.desc, reason: this.stopReason });
    this.parent?.childStopped(this);
    if (this.far !== null && this.far.parent !== null)
      host.remote?.childGone?.(this.far.parent, this.ref, this.stopReason);
    const waiters = this.stopWaiters;
    this.stopWaiters = null;
    if (typeof waiters === 'function') waiters();
    else if (waiters !== null) for (const w of waiters) w();
  }

  watch(target: ActorRef): void {
    if (target === this.ref || this.status !== ALIVE) return;
    (this.watching ??= new Map()).set(target.id, target);
    this.host.watch(target, this.ref);
  }

  unwatch(target: ActorRef): void {
    if (!this.watching?.delete(target.id)) return;
    target.cell?.watchers?.delete(this.id);
  }

  addWatcher(watcher: ActorRef): boolean {
    if (this.status === STOPPED || this.status === MIGRATED) return false;
    (this.watchers ??= new Map()).set(watcher.id, watcher);
    return true;
  }

  /** `ctx.schedule`: `to` null is the actor itself, wherever it runs when the timer fires. */
  schedule(
    delayMs: number,
    msg: unknown,
    to: ActorRef | null,
    every: number,
    key: TimerKey | null,
  ): Cancellable {
    return (this.timers ??= new ActorTimers(this)).add(delayMs, msg, to, every, key);
  }

  /** Cancels every timer (the actor stops, or left this thread). */
  cancelTimers(): void {
    this.timers?.clear();
    this.timers = null;
  }

  /** Moves queued user messages out (migration, shutdown); the cell keeps running. */
  takeMailbox(): Array<[unknown, unknown]> {
    const out = this.mailbox.toArray();
    this.mailbox.clear();
    return out;
  }

  /** @internal for fromMachine and tests: whether the current message expects a reply. */
  get pendingAsk(): AskHandle | undefined {
    const m = this.ctxObj?.meta;
    return m instanceof AskHandle ? m : undefined;
  }
}

export { InitFailedError };
