/**
 * ActorCell: one actor's state, mailbox, system-message dispatch and run
 * loop, run by a dispatcher. Its lifecycle (start, failure, restart, stop,
 * kill) is in lifecycle.ts, death watch and timers in death-watch.ts (the
 * concrete class, `Cell`). Features keep what they know about an actor in its
 * extension slots (ext.ts) and act through kernel hooks (hooks.ts).
 *
 * Invariants:
 * 1. At most one message (or hook) is in progress: while a handler's promise
 *    is pending the cell is `busy` and is not scheduled.
 * 2. System messages (sysmsg.ts) are drained before every user message, so
 *    stop, watch and supervision overtake queued user work.
 * 3. Every user message that enters `deliver` is either processed (counted in
 *    `processed`) or dead-lettered with a reason — including those still
 *    queued when the actor stops.
 * 4. Stop order: children first (all of them terminated), then `onStop`, then
 *    watchers are notified and the name is released.
 */

import type { ActorDefinition, Behavior, Cancellable } from './actor.ts';
import type { AskHandle } from './ask.ts';
import type { CellHost } from './cell-host.ts';
import {
  ALIVE,
  HOLD_REDELIVER,
  HOLD_SUSPENDED,
  HOLD_SYNC,
  HOLD_WAIT,
  MIGRATED,
  STOPPED,
  type TurnContext,
} from './cell-state.ts';
import { Envelope, envelop } from './envelope.ts';
import type { ActorDescription } from './errors.ts';
import type { DeadLetterReason } from './events.ts';
import type { AroundInterceptor, OnStopFate, ProcessInterceptor } from './hooks.ts';
import { makeRoom, type ResolvedMailbox } from './mailbox.ts';
import { refuseUnportable } from './portable.ts';
import { PairQueue } from './queue.ts';
import { ActorRef } from './ref.ts';
import { type Directed, type FailurePhase, type SysMsg, terminatedMsg } from './sysmsg.ts';
import { ActorTimers, type TimerKey } from './timers.ts';

// The status and hold names live in cell-state.ts; importers of cell.ts keep them.
export * from './cell-state.ts';
export type { OnStopFate };

const HOLD_BLOCK = HOLD_SUSPENDED | HOLD_WAIT | HOLD_SYNC;

export abstract class ActorCell {
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
  /** System messages applied in the actor's turn, with the acknowledgement each may carry. */
  sys: PairQueue<SysMsg, AskHandle> | null = null;
  children: Set<ActorCell> | null = null;
  /**
   * Who watches this actor, by id: a ref object is not an identity, since an actor that migrates
   * away and back gets a new one (and so does a watcher).
   */
  watchers: Map<number, ActorRef> | null = null;
  /** Whom this actor watches, by id (see `watchers`). */
  watching: Map<number, ActorRef> | null = null;
  /** Timers it owns (ctx.schedule, machine delays, a requeued message's wait), created on first use; they move with it. */
  timers: ActorTimers | null = null;
  /** Extension slots (ext.ts): features' per-actor state, null until one is set. */
  ext: unknown[] | null = null;
  protected ctxObj: TurnContext | null = null;
  stopReason = '';
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
  /** Killed by `kill()`: a late settle of a pending handler or hook must change nothing. */
  protected killed = false;
  /** The user message whose async handler is pending (so `kill` can dead-letter it). */
  protected inflight = false;
  protected inflightMsg: unknown = undefined;
  protected inflightMeta: unknown = undefined;
  /** Bumped by `abandonHandler`: a pending handler that captured an older value settles into nothing. */
  protected handlerEpoch = 0;

  constructor(
    readonly host: CellHost<ActorCell>,
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

  // ---- lifecycle (lifecycle.ts), death watch and timers (death-watch.ts) ---------

  /** Runs onStart; false if it went async or failed. */
  protected abstract start(): boolean;
  abstract beginStop(reason: string): void;
  abstract requestStop(reason: string): void;
  abstract whenStopped(): Promise<void>;
  /** Terminates now (shutdown's phase 4, a supervisor's shutdownMs): no pending handler, no onStop. */
  abstract kill(reason: string): void;
  /** A handler or hook threw: dead letters, `actor.failed`, then the failure chain (hooks.ts) or the core default. */
  abstract failed(
    error: unknown,
    msg: unknown,
    meta: unknown,
    phase: FailurePhase | 'stop',
    redelivered?: boolean,
  ): void;
  /** Re-initialises state from props; onStart runs again before the next message. False when init failed or it is gone. */
  abstract restart(reason: string): boolean;
  abstract addWatcher(watcher: ActorRef): boolean;
  protected abstract onWatchedTerminated(ref: ActorRef, reason: string): void;
  /** A child linked by ref is gone (`child-gone`). */
  protected abstract farChildGone(child: ActorRef, reason: string): void;
  protected abstract directed(d: Directed): void;
  /** During shutdown (intake closed) every message a stopped actor refuses counts as `shutdown`. */
  protected abstract deadReason(): DeadLetterReason;
  /** A local child terminated. */
  abstract childStopped(child: ActorCell): void;
  abstract watch(target: ActorRef): void;
  abstract unwatch(target: ActorRef): void;
  /** `ctx.schedule`: `to` null is the actor itself, wherever it runs when the timer fires. */
  abstract schedule(
    delayMs: number,
    msg: unknown,
    to: ActorRef | null,
    every: number,
    key: TimerKey | null,
  ): Cancellable;
  /** Cancels every timer (the actor stops, or left this thread). */
  abstract cancelTimers(): void;
  /** Moves queued user messages out (migration, shutdown); the cell keeps running. */
  abstract takeMailbox(): Array<[unknown, unknown]>;
  /** @internal for fromMachine and tests: the current message's ask, when it is one. */
  abstract get pendingAsk(): AskHandle | undefined;
  /** A handler returned a promise: the cell is busy until it settles (lifecycle.ts). */
  protected abstract awaitHandler(
    p: Promise<unknown>,
    msg: unknown,
    meta: unknown,
    timed: boolean,
    t0: number,
    redelivered?: boolean,
  ): void;
  /**
   * Abandons the pending async handler (a deadlock victim): its message is dead-lettered with
   * `reason` (an ask on it rejects with `error`), and the handler's late settle changes nothing.
   */
  abstract abandonHandler(reason: DeadLetterReason, error: unknown): boolean;

  get id(): number {
    return this.ref.id;
  }

  /** Messages waiting: the scheduler weighs a unit of work by its pending items (scheduler unit.ts). */
  get pending(): number {
    return this.mailbox.length;
  }

  /** The scheduler's cost key: actors of one definition share a cost per message. */
  get kind(): ActorDefinition {
    return this.def;
  }

  get desc(): ActorDescription {
    return this.ref.toJSON();
  }

  context(): TurnContext {
    return this.ctxObj ?? (this.ctxObj = this.newContext());
  }

  /** Made once per actor, on its first turn (death-watch.ts: context.ts sits above the cell). */
  protected abstract newContext(): TurnContext;

  // ---- user messages ----------------------------------------------------------

  /** Entry point of every user message sent to this cell from its own thread. Never throws. */
  deliver(msg: unknown, meta: unknown): void {
    const host = this.host;
    // Interception (hooks.ts): one check while no interceptor is installed.
    const si = host.hooks.send;
    if (si !== null) meta = envelop(si, this.ref, msg, meta);
    // Threaded mode: one rule for values that cannot cross a thread, wherever the sender is (portable.ts).
    if (host.movable) {
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
    if (mb.length >= this.capacity && !makeRoom(this, msg, meta)) return;
    mb.push(msg, meta);
    if (host.events.perMessage && host.events.sampledSend()) host.emitSent(this, msg, meta);
    if (!this.queued && !this.busy) {
      this.queued = true;
      host.dispatcher.schedule(this);
    }
  }

  // ---- system messages --------------------------------------------------------

  /**
   * The one place a system message is matched (table in sysmsg.ts). Arriving
   * (`turn` false), a message is either applied now or queued for the actor's
   * turn; `runSystem` calls back with `turn` true to apply the queued ones.
   */
  system(m: SysMsg, ack?: AskHandle, turn = false): void {
    const host = this.host;
    switch (m.tag) {
      case 'watch':
        if (!this.addWatcher(m.watcher))
          host.sendSystem(m.watcher, terminatedMsg(this.ref, this.stopReason || 'stopped'));
        return;
      case 'unwatch':
        this.watchers?.delete(m.watcher.id);
        return;
      case 'kill':
        this.kill(m.reason);
        return;
      case 'child-gone':
        this.farChildGone(m.child, m.reason);
        return;
      case 'stop':
        if (turn) {
          this.beginStop(m.reason);
          return;
        }
        if (ack !== undefined) void this.whenStopped().then(() => ack.resolve(undefined));
        if (this.status !== ALIVE) return;
        break;
      case 'terminated':
        if (!turn) break;
        this.onWatchedTerminated(m.ref, m.reason);
        return;
      case 'failed':
        if (!turn) break;
        host.hooks.onChildFailed?.(this, m.child, m.error, m.phase);
        return;
      case 'directive':
        if (!turn) break;
        this.directed(m.d);
        return;
      case 'ext': {
        const h = host.hooks.ext.get(m.kind);
        if (h === undefined) return; // no feature here handles it: dropped, like a stop for a stopped actor
        if (!turn && h.at !== 'arrival') break;
        h.apply(this, m.payload, ack);
        return;
      }
    }
    const st = this.status;
    if (st === STOPPED || st === MIGRATED) return;
    (this.sys ??= new PairQueue()).push(m, ack);
    if (!this.queued && !this.busy) {
      this.queued = true;
      host.dispatcher.schedule(this);
    }
  }

  /** Drains system messages; false when the cell must not continue this turn (busy or gone). */
  private runSystem(): boolean {
    const sys = this.sys!;
    while (sys.length > 0) {
      const m = sys.shift();
      this.system(m, sys.meta, true);
      if (this.busy || this.status === STOPPED || this.status === MIGRATED || (this.hold & HOLD_BLOCK) !== 0)
        return false;
    }
    return true;
  }

  // ---- the run loop -----------------------------------------------------------

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
      const pi = host.hooks.process;
      const around = host.hooks.around;
      let n = this.throughput;
      while (n-- > 0 && mb.length > 0) {
        const msg = mb.shift();
        const env = mb.meta;
        ctx.begin(pi === null ? env : this.intercepted(pi, msg, env));
        const timed = events.perMessage && events.sampled();
        const t0 = timed ? host.emitReceived(this, msg) : 0;
        let r: unknown;
        try {
          r = around === null ? beh.receive(this.state, msg, ctx) : this.receiveAround(around, msg, env, ctx);
        } catch (e) {
          this.failed(e, msg, env, 'receive');
          // A restart (started = false) must run onStart before the next message.
          if (this.busy || this.status !== ALIVE || this.hold !== 0 || !this.started) return;
          continue;
        }
        if (r instanceof Promise) {
          this.awaitHandler(r, msg, env, timed, t0);
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

  /** The handler inside the `around` interceptors (tracing), with the data the message's envelope carries. */
  private receiveAround(
    around: AroundInterceptor<ActorCell>,
    msg: unknown,
    env: unknown,
    ctx: TurnContext,
  ): unknown {
    return around(this, msg, env instanceof Envelope ? env.data : undefined, () =>
      this.behavior.receive(this.state, msg, ctx),
    );
  }

  /** The process interceptor sees the envelope's data; the handler sees the meta inside it. */
  private intercepted(pi: ProcessInterceptor<ActorCell>, msg: unknown, env: unknown): unknown {
    if (env instanceof Envelope) {
      pi(this, msg, env.data);
      return env.meta;
    }
    pi(this, msg, undefined);
    return env;
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
   * waiting out a delay, busy or gone). Otherwise processes a message put back
   * by `requeueHead` as redelivered, so the hot loop never tracks that.
   */
  private holdTurn(): boolean {
    if (this.status !== ALIVE || (this.hold & HOLD_BLOCK) !== 0) return false;
    this.hold &= ~HOLD_REDELIVER;
    const mb = this.mailbox;
    if (mb.length === 0) return true;
    const msg = mb.shift();
    const env = mb.meta;
    const pi = this.host.hooks.process;
    const around = this.host.hooks.around;
    const ctx = this.context();
    ctx.begin(pi === null ? env : this.intercepted(pi, msg, env));
    let r: unknown;
    try {
      r =
        around === null
          ? this.behavior.receive(this.state, msg, ctx)
          : this.receiveAround(around, msg, env, ctx);
    } catch (e) {
      this.failed(e, msg, env, 'receive', true);
      return !this.busy && this.status === ALIVE && this.hold === 0;
    }
    if (r instanceof Promise) {
      this.awaitHandler(r, msg, env, false, 0, true);
      return false;
    }
    this.state = r;
    this.host.stats.processed++;
    return true;
  }

  // ---- holds: primitives features build on ---------------------------------------

  /**
   * Puts a message that just failed back at the mailbox front: nothing queued
   * behind it is processed first. It is processed next as `redelivered`, once
   * `delayMs` have passed (a timer of the actor's: it moves with it). The retry
   * feature builds on this.
   */
  requeueHead(msg: unknown, meta: unknown, delayMs: number): void {
    this.mailbox.unshift(msg, meta);
    this.hold |= HOLD_REDELIVER;
    if (delayMs <= 0) return;
    this.hold |= HOLD_WAIT;
    (this.timers ??= new ActorTimers(this)).holdWait(delayMs);
  }

  /** The requeued message's delay is over (timers.ts): it runs next. */
  endWait(): void {
    this.hold &= ~HOLD_WAIT;
    this.reschedule();
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

  /** Holds user messages until `resumeHeld` (a failed actor awaits its parent's directive). */
  suspend(): void {
    this.hold |= HOLD_SUSPENDED;
  }

  /** Releases a `suspend` (resume directive, or before a restart). */
  resumeHeld(): void {
    this.hold &= ~HOLD_SUSPENDED;
    this.reschedule();
  }
}
