/**
 * The cell's lifecycle (Pekko's `dungeon` traits of `ActorCell`): start,
 * failure and restart, stop and kill, death watch. The concrete cell class is
 * the one here; cell.ts has the state and the run loop it shares.
 *
 * Stop protocol (invariant 4 of cell.ts):
 * 1. `stop` (a system message, in the actor's turn) marks it STOPPING and
 *    cancels its timers.
 * 2. Its children stop: a protocol of its own when a feature has one for it
 *    (`childStop`: a supervisor stops them one by one), else all at once —
 *    local children by stop request, children linked by ref
 *    (executors/links.ts) by a routed stop.
 * 3. Once the last child is gone (`childStopped` here, `child-gone` from afar)
 *    onStop runs, then `finalize`: queued messages are dead-lettered, the cell
 *    leaves the registry, watchers get `terminated`, the parent hears of it.
 * `kill` skips the waits: children are killed, the pending handler's message
 * dead-lettered, onStop not run (or abandoned), and it finalizes at once.
 */
import { AskHandle } from './ask.ts';
import { ActorCell, ALIVE, HOLD_SYNC, MIGRATED, STOPPED, STOPPING } from './cell.ts';
import { cellOf } from './cell-of.ts';
import { unwrap } from './envelope.ts';
import { ActorFailedError } from './errors.ts';
import type { DeadLetterReason } from './events.ts';
import { farKids, farParent, hasFarKids } from './far-links.ts';
import type { OnStopFate } from './hooks.ts';
import type { ActorRef } from './ref.ts';
import { childGoneMsg, type Directed, type FailurePhase, stopMsg, terminatedMsg } from './sysmsg.ts';

export abstract class Lifecycle extends ActorCell {
  private stopHookStarted = false;
  /** Who awaits `whenStopped`: one function (the common case, no array) or several. */
  private stopWaiters: (() => void) | Array<() => void> | null = null;

  // ---- start, failure, restart ------------------------------------------------

  protected start(): boolean {
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

  /**
   * A handler or hook threw. A feature may take the message back first
   * (`onMessageFailed`: a retry). Otherwise the message goes to dead letters
   * (`failed`), an ask on it rejects with ActorFailedError, and the failure
   * chain (supervision) or the core default decides what happens to the actor.
   */
  failed(
    error: unknown,
    msg: unknown,
    meta: unknown,
    phase: FailurePhase | 'stop',
    redelivered = false,
  ): void {
    if (this.killed) return; // a hook that settled after kill(): the actor is gone
    const host = this.host;
    const isMsg = phase === 'receive' && (msg !== undefined || meta !== undefined);
    if (isMsg && this.status === ALIVE) {
      if (host.hooks.onMessageFailed?.(this, error, msg, meta, redelivered) === true) return;
    }
    if (isMsg)
      // The error object (a stack capture) is only built when an asker will see it.
      host.deadLetter(
        msg,
        meta,
        'failed',
        this,
        unwrap(meta) instanceof AskHandle ? new ActorFailedError(this.desc, error) : undefined,
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
    this.policy(error, phase);
  }

  /** The failure chain (hooks.ts), then the core default: restart on a receive failure, stop on a start or init failure. */
  private policy(error: unknown, phase: FailurePhase): void {
    if (this.host.hooks.onFailure?.(this, error, phase) === true) return;
    if (phase === 'init') this.beginStop('init-failed');
    else if (phase === 'start') this.beginStop('failed');
    else this.restart('failed');
  }

  restart(reason: string): boolean {
    if (this.status !== ALIVE) return false;
    const host = this.host;
    try {
      this.state = this.behavior.init(this.props, this.context());
    } catch (e) {
      host.emit({ type: 'actor.failed', at: host.clock.now(), actor: this.desc, error: e, phase: 'init' });
      this.policy(e, 'init'); // core default stops ('init-failed'); supervision counts it
      return false;
    }
    this.restarts++;
    this.hold &= HOLD_SYNC; // a fresh incarnation: not suspended, no message put back for redelivery
    this.timers?.clearWait();
    this.started = this.behavior.onStart === undefined;
    host.emit({ type: 'actor.restarted', at: host.clock.now(), actor: this.desc, reason });
    this.reschedule();
    return true;
  }

  /** A directive from a supervising parent, in this actor's turn. */
  protected directed(d: Directed): void {
    let restarted = false;
    if (d === 'resume') this.resumeHeld();
    else if (d === 'suspend') this.suspend();
    else if (this.status === ALIVE) {
      // Restart in place: its own children go, then state re-initialises from props.
      if (this.children !== null) for (const k of [...this.children]) k.requestStop('parent-restarted');
      const far = farKids(this);
      if (far !== null) for (const k of far.values()) this.host.stopRef(k, 'parent-restarted');
      restarted = this.restart('supervisor');
    }
    this.host.hooks.onDirected?.(this, d, restarted);
  }

  // ---- stop -------------------------------------------------------------------

  requestStop(reason: string): void {
    if (this.status !== ALIVE) return;
    this.system(stopMsg(reason));
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

  /** Stop protocol steps 1 and 2. */
  beginStop(reason: string): void {
    if (this.status !== ALIVE) return;
    this.status = STOPPING;
    this.stopReason = reason;
    this.cancelTimers();
    const far = farKids(this);
    const remote = far !== null && far.size > 0;
    const local = this.children !== null && this.children.size > 0;
    const own = this.host.hooks.childStop;
    if ((local || remote) && own !== null && own.owns(this)) {
      own.stop(this);
      return; // continues in childStopped / farChildGone once the last child is gone
    }
    if (remote) {
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

  /** Step 3: a local child terminated. */
  childStopped(child: ActorCell): void {
    this.children?.delete(child);
    this.host.hooks.onChildExit?.(this, child.ref, child.stopReason);
    if (
      this.status === STOPPING &&
      !this.stopHookStarted &&
      (this.children === null || this.children.size === 0) &&
      !hasFarKids(this)
    )
      this.runStopHook();
  }

  /** Step 3 from afar (links protocol step 4, executors/links.ts): a child linked by ref terminated. */
  protected farChildGone(child: ActorRef, reason: string): void {
    const far = farKids(this);
    const ref = far?.get(child.id);
    if (far === null || ref === undefined) return;
    far.delete(child.id);
    this.host.hooks.onChildExit?.(this, ref, reason);
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
    const far = farKids(this);
    if (far !== null) for (const k of far.values()) this.host.stopRef(k, reason);
    if (this.inflight) {
      this.inflight = false;
      this.host.deadLetter(this.inflightMsg, this.inflightMeta, this.deadReason(), this);
      this.inflightMsg = this.inflightMeta = undefined;
    }
    this.finalize();
    this.host.hooks.onKilled?.(this, onStop);
  }

  protected deadReason(): DeadLetterReason {
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
      // Local watched actors forget this watcher now; remote ones find it gone when they stop.
      for (const w of this.watching.values()) cellOf(w)?.watchers?.delete(this.id);
      this.watching = null;
    }
    if (this.watchers !== null) {
      const t = terminatedMsg(this.ref, this.stopReason);
      for (const w of this.watchers.values()) host.sendSystem(w, t);
      this.watchers = null;
    }
    this.state = undefined;
    if (host.events.hasListeners)
      host.emit({ type: 'actor.stopped', at: host.clock.now(), actor: this.desc, reason: this.stopReason });
    this.parent?.childStopped(this);
    const fp = farParent(this);
    if (fp !== null) host.sendSystem(fp, childGoneMsg(this.ref, this.stopReason));
    const waiters = this.stopWaiters;
    this.stopWaiters = null;
    if (typeof waiters === 'function') waiters();
    else if (waiters !== null) for (const w of waiters) w();
  }

  // ---- asynchronous handlers -------------------------------------------------------

  /** A handler or hook promise is pending: pending work holds the process (lifetime.ts). */
  protected beginAsync(): void {
    if (!this.busy) this.host.lifetime.hold();
    this.busy = true;
  }

  /** It settled, or was abandoned (kill, deadlock abort): a second call releases nothing. */
  protected endAsync(): void {
    if (this.busy) this.host.lifetime.release();
    this.busy = false;
  }

  protected awaitHandler(
    p: Promise<unknown>,
    msg: unknown,
    meta: unknown,
    timed: boolean,
    t0: number,
    redelivered = false,
  ): void {
    this.beginAsync();
    this.inflight = true;
    this.inflightMsg = msg;
    this.inflightMeta = meta;
    const epoch = this.handlerEpoch;
    // Deadlock detection and stall watch learn of blocked handlers here, off the sync path.
    const hooks = this.host.hooks;
    if (hooks.onAwait !== null) hooks.onAwait(this, msg);
    const settled = hooks.onSettled;
    p.then(
      (s) => {
        if (this.killed || epoch !== this.handlerEpoch) return; // killed or aborted: dead-lettered already
        if (settled !== null) settled(this);
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
        if (settled !== null) settled(this);
        this.inflight = false;
        this.inflightMsg = this.inflightMeta = undefined;
        this.endAsync();
        this.failed(e, msg, meta, 'receive', redelivered);
        this.reschedule();
      },
    );
  }

  abandonHandler(reason: DeadLetterReason, error: unknown): boolean {
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
}
