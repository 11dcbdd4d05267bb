/**
 * Supervisor: the state of a supervisor actor. It owns child records (one
 * per child spec, in start order) and reacts to what its children report by
 * system message (plugin.ts): failures, exits, sub-trees started.
 *
 * Restart protocol (a child failed, or exited against its restart type):
 * 1. The child suspended itself at the failure (its mailbox is kept) and
 *    posted the failure here. A stale report (an older incarnation) is ignored.
 * 2. The decider picks a directive (failures at init always restart);
 *    `restart` of a temporary child becomes `stop`.
 * 3. restart: the restart is added to the intensity window; past the limit
 *    the supervisor escalates (step 6). Otherwise the backoff delay is taken
 *    for the failed child, and the strategy's affected siblings are suspended
 *    (workers) or stopped (sub-supervisors, temporary children), in reverse
 *    start order.
 * 4. When the delay has passed (on the clock), affected children restart in
 *    start order, each one back before the next starts (a later child may
 *    depend on an earlier one): a live worker re-initialises in place (same
 *    ref, same mailbox) in its own turn and reports back; a sub-supervisor or
 *    an exited child is spawned afresh once its previous incarnation has
 *    exited — never two incarnations at once. `child-restarted` is emitted
 *    as each restart happens, so it tells the order the inits ran in.
 * 5. A respawn that fails at init counts as another restart (step 3), so a
 *    child that always fails at init ends in escalation, not a respawn loop.
 * 6. Escalation: children stop one by one in reverse start order (each with
 *    its shutdownMs, then killed), then the supervisor fails upward with an
 *    EscalatedError; its parent (or the root guardian) decides.
 *
 * The records, stopping children and the timers are in children.ts (`SupervisorChildren`).
 */

import { backoffDelay } from '../../kernel/backoff.ts';
import type { ActorCell } from '../../kernel/cell.ts';
import { EscalatedError, isInitFailedError, isShutdownError } from '../../kernel/errors.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import type { SpawnOptions } from '../../kernel/spawn-options.ts';
import { directiveMsg, extMsg } from '../../kernel/sysmsg.ts';
import { SupervisorChildren } from './children.ts';
import { type Directive, decide } from './decider.ts';
import { emitSupervisorEvent, emitSupervisorNote } from './events.ts';
import { IntensityWindow } from './intensity.ts';
import { FAIL, TREE_STARTED } from './messages.ts';
import type { ChildRecord } from './records.ts';
import { resolveActor, type SupervisorSpec } from './spec.ts';
import { affectedChildren } from './strategy.ts';

/** What the root guardian does for a top-level tree (tree.ts implements it). */
export interface TreeParent {
  started(ref: ActorRef): void;
  failed(ref: ActorRef, error: unknown): void;
}

/** Spawns a supervisor actor (behavior.ts provides it; injected to avoid an import cycle). */
export type SpawnSupervisor = (parent: ActorCell, spec: SupervisorSpec, name: string | undefined) => ActorRef;

export class Supervisor extends SupervisorChildren {
  private readonly intensity: IntensityWindow;

  /** Restart ages carried by a move, until `attach` turns them into times (moving.ts). */
  arrived: readonly number[] | null = null;

  constructor(
    spec: SupervisorSpec,
    cell: ActorCell | null,
    private readonly spawnSupervisor: SpawnSupervisor,
    readonly root: TreeParent | undefined,
  ) {
    super(spec, cell);
    this.intensity = new IntensityWindow(spec.intensity);
  }

  /** onStart: children start in order; one that fails at init fails the whole start (OTP). */
  start(): void {
    for (const rec of this.records) {
      if (this.mode !== 'starting') return;
      const err = this.launch(rec);
      if (err !== undefined) {
        this.reportFailed(rec, err, 'init');
        this.escalate(rec, err, 'start');
        return;
      }
    }
    this.maybeStarted();
  }

  /**
   * The shutdown budget of the child being spawned now (`launch`): the spawn hook sets it on the
   * new cell before a placement moves it (plugin.ts), so it travels with the child.
   */
  launching: number | undefined = undefined;

  /** Spawns a fresh incarnation; returns the error when it could not start. */
  launch(rec: ChildRecord): unknown {
    const spec = rec.spec;
    let ref: ActorRef;
    this.launching = spec.shutdownMs; // the shutdown coordinator budgets this child by its spec
    try {
      if (spec.kind === 'worker') {
        const def = resolveActor(spec, this.host.definitions, `child "${spec.id}"`);
        const opts: SpawnOptions = {
          ...(spec.name !== undefined ? { name: spec.name } : {}),
          ...(spec.mailbox !== undefined ? { mailbox: spec.mailbox } : {}),
          ...(spec.retry !== undefined ? { retry: spec.retry as SpawnOptions['retry'] } : {}),
          // With executors a pool of workers spreads over them (in-thread a placement is moot).
          placement: spec.placement ?? 'spread',
        };
        ref = this.host.spawnLocal(def, spec.props, opts, this.cell);
      } else ref = this.spawnSupervisor(this.cell, spec.spec, spec.name);
    } catch (e) {
      rec.alive = false;
      return isInitFailedError(e) ? e.cause : e;
    } finally {
      this.launching = undefined;
    }
    rec.ref = ref;
    rec.alive = true;
    if (ref.cell !== null) this.keepStartOrder(); // placed elsewhere: a child linked by ref
    rec.stopping = false;
    rec.suspended = false;
    rec.afterExit = 'keep';
    rec.startedAt = this.host.clock.now();
    rec.treeStarted = spec.kind === 'worker';
    emitSupervisorEvent(this.host, 'supervisor.child-started', this.cell.desc, this.id, {
      child: spec.id,
      actor: ref.toJSON(),
    });
    return undefined;
  }

  /** A child reported a failure (it is suspended now). */
  childFailed(ref: ActorRef, error: unknown, phase: 'init' | 'start' | 'receive'): void {
    const rec = this.byRef(ref);
    if (rec === undefined || !rec.alive) return;
    rec.suspended = true;
    if (this.mode !== 'running' && this.mode !== 'starting') return; // it is being stopped anyway
    // Re-initialising in place failed at init: the restart happened, and failed; the
    // children due after it wait until it is back (flush).
    const wasRestarting = rec.pending === 'restarting';
    if (wasRestarting) this.restarted(rec);
    this.reportFailed(rec, error, phase);
    if (rec.pending !== 'none' || rec.stopping) return; // already on its way out or back
    this.decideFailure(rec, ref, error, phase);
    if (wasRestarting) this.flush();
  }

  private decideFailure(
    rec: ChildRecord,
    ref: ActorRef,
    error: unknown,
    phase: 'init' | 'start' | 'receive',
  ): void {
    if (this.mode === 'starting' && rec.spec.kind === 'supervisor' && !rec.treeStarted) {
      this.escalate(rec, error, 'start');
      return;
    }
    let d: Directive = phase === 'init' ? 'restart' : this.decide(rec, error);
    if (d === 'resume' && rec.spec.kind === 'supervisor') d = 'restart'; // a failed supervisor has no children left to resume
    if (d === 'restart' && rec.spec.restart === 'temporary') d = 'stop';
    switch (d) {
      case 'resume':
        rec.suspended = false;
        this.host.sendSystem(ref, directiveMsg('resume'));
        emitSupervisorNote(this.host, 'supervisor.child-resumed', {
          supervisor: this.cell.desc,
          supervisorId: this.id,
          child: rec.spec.id,
        });
        return;
      case 'stop':
        this.stopChild(rec, 'failed', rec.spec.restart === 'temporary' ? 'delete' : 'keep');
        return;
      case 'restart':
        this.restart(rec, error);
        return;
      case 'escalate':
        this.escalate(rec, error, 'directive');
    }
  }

  private decide(rec: ChildRecord, error: unknown): Directive {
    return decide(this.spec.decider, error, this.info(rec));
  }

  private reportFailed(
    rec: ChildRecord,
    error: unknown,
    context: 'init' | 'start' | 'receive' | 'exit',
  ): void {
    emitSupervisorEvent(this.host, 'supervisor.child-failed', this.cell.desc, this.id, {
      child: rec.spec.id,
      error,
      offender: { id: rec.spec.id, actor: rec.ref?.toJSON(), kind: rec.spec.kind, restart: rec.spec.restart },
      context,
    });
  }

  /** Steps 3–4 of the restart protocol. */
  private restart(rec: ChildRecord, error: unknown, deferred = false): void {
    const now = this.host.clock.now();
    if (!this.intensity.add(now)) {
      emitSupervisorEvent(this.host, 'supervisor.intensity-exceeded', this.cell.desc, this.id, {
        child: rec.spec.id,
        maxRestarts: this.spec.intensity.maxRestarts,
        withinMs: this.spec.intensity.withinMs,
      });
      this.escalate(rec, error, 'intensity');
      return;
    }
    const b = this.spec.backoff;
    let delay = 0;
    if (b !== undefined) {
      if (rec.restarts > 0 && now - rec.startedAt >= b.resetAfterMs) rec.attempt = 0;
      delay = backoffDelay(b, rec.attempt);
    }
    rec.attempt++;
    const group = affectedChildren(this.spec.strategy, this.records, rec);
    for (let i = group.length - 1; i >= 0; i--) {
      const r = group[i] as ChildRecord;
      if (r !== rec && (r.pending !== 'none' || (r.stopping && r.afterExit === 'delete'))) continue;
      if (r !== rec && r.spec.restart === 'temporary') {
        this.stopChild(r, 'sibling-restarted', 'delete'); // OTP: temporary siblings are not restarted
        continue;
      }
      if (r !== rec && !r.alive) continue; // terminated on purpose: stays down
      r.pending = 'waiting';
      r.delayMs = delay;
      if (!r.alive) continue;
      if (r.spec.kind === 'supervisor') {
        if (!r.stopping) this.stopChild(r, r === rec ? 'restarting' : 'sibling-restarted', 'keep');
      } else if (!r.suspended && r.ref !== undefined) {
        r.suspended = true;
        this.host.sendSystem(r.ref, directiveMsg('suspend'));
      }
    }
    const due = (): void => {
      for (const r of group) if (r.pending === 'waiting') r.pending = 'due';
      this.flush();
    };
    // Without backoff the restart happens in this turn — except after a failed
    // respawn, where doing it now would recurse once per restart the intensity allows.
    if (delay <= 0 && !deferred) due();
    else this.after(delay, due);
  }

  /**
   * Performs due restarts in start order, each child started before the next
   * (OTP: a later child may depend on an earlier one being up). Stops at a
   * child that is not ready yet: waiting for its backoff delay, for its old
   * incarnation to exit, or re-initialising in place until it reports back
   * (`childRestarted`). Under one-for-one the children are independent: a
   * child that is not ready holds up no other.
   */
  private flush(): void {
    const alone = this.spec.strategy === 'one-for-one';
    for (const r of [...this.records]) {
      if (this.mode !== 'running' && this.mode !== 'starting') return;
      if (r.pending === 'none') continue;
      if (r.pending !== 'due' || (r.alive && (r.stopping || r.spec.kind === 'supervisor'))) {
        if (alone) continue;
        return;
      }
      if (r.alive && r.ref !== undefined) {
        r.pending = 'restarting';
        r.suspended = false;
        r.startedAt = this.host.clock.now();
        // It reports back (`childRestarted`) once re-initialised, wherever it runs (plugin.ts step 3).
        this.host.sendSystem(r.ref, directiveMsg('restart'));
        if (alone) continue;
        return;
      }
      r.pending = 'none';
      r.restarts++;
      const err = this.launch(r);
      this.emitRestarted(r);
      if (err === undefined) continue;
      this.launchFailed(r, err);
      if (r.pending !== 'none' && !alone) return; // it comes back first, the rest after it
    }
  }

  /** A child re-initialised in place (restart protocol step 4); the next due child may go. */
  childRestarted(ref: ActorRef): void {
    const rec = this.byRef(ref);
    if (rec === undefined || rec.pending !== 'restarting') return;
    this.restarted(rec);
    this.flush();
  }

  /** The restart of `rec` in place happened (its init ran, successfully or not). */
  private restarted(rec: ChildRecord): void {
    rec.pending = 'none';
    rec.restarts++;
    this.emitRestarted(rec);
  }

  private emitRestarted(r: ChildRecord): void {
    emitSupervisorEvent(this.host, 'supervisor.child-restarted', this.cell.desc, this.id, {
      child: r.spec.id,
      actor: r.ref?.toJSON(),
      attempt: r.restarts,
      delayMs: r.delayMs,
    });
  }

  /** Step 5: a respawn failed at init. */
  private launchFailed(r: ChildRecord, err: unknown): void {
    this.reportFailed(r, err, 'init');
    if (isShutdownError(err)) return; // the system is going down: nothing to restart into
    if (r.spec.restart === 'temporary') this.remove(r);
    else this.restart(r, err, true);
  }

  /** A child's incarnation terminated (posted by its stop). */
  childExited(ref: ActorRef, reason: string): void {
    const rec = this.byRef(ref);
    if (rec === undefined || !rec.alive) {
      this.continueStop();
      return;
    }
    rec.alive = false;
    if (rec.pending === 'restarting') rec.pending = 'due'; // gone before it re-initialised: respawn it
    if (rec.stopTimer !== null) {
      this.host.timers.clearTimeout(rec.stopTimer);
      this.timers.delete(rec.stopTimer);
      rec.stopTimer = null;
    }
    const wasStopping = rec.stopping;
    rec.stopping = false;
    for (const w of rec.exitWaiters.splice(0)) w();
    if (this.mode === 'escalating' || this.mode === 'stopping' || this.mode === 'failed') {
      this.continueStop();
      return;
    }
    if (rec.pending !== 'none') {
      this.flush();
      return;
    }
    if (wasStopping) {
      if (rec.afterExit === 'delete') this.remove(rec);
      return;
    }
    // The system is shutting down and stops children itself: nothing to restart into.
    if (!this.host.accepting) return;
    // An exit nobody asked for: the restart type decides (OTP).
    const normal = reason === 'stopped' || reason === 'normal' || reason === 'shutdown';
    if (rec.spec.restart === 'temporary') {
      this.remove(rec);
      return;
    }
    if (rec.spec.restart === 'transient' && normal) return;
    this.reportFailed(rec, reason, 'exit');
    this.restart(rec, reason);
  }

  /** A sub-supervisor reports that its tree has started. */
  childTreeStarted(ref: ActorRef): void {
    const rec = this.byRef(ref);
    if (rec === undefined) return;
    rec.treeStarted = true;
    this.maybeStarted();
  }

  private maybeStarted(): void {
    if (this.mode !== 'starting') return;
    for (const r of this.records) if (r.alive && !r.treeStarted) return;
    this.mode = 'running';
    const self = this.cell.ref;
    if (this.root !== undefined) this.root.started(self);
    else if (this.cell.parent !== null)
      this.host.sendSystem(this.cell.parent.ref, extMsg(TREE_STARTED, self));
  }

  /** Step 6. */
  private escalate(rec: ChildRecord, error: unknown, reason: 'intensity' | 'directive' | 'start'): void {
    if (this.mode !== 'running' && this.mode !== 'starting') return;
    this.mode = 'escalating';
    this.cancelTimers();
    for (const r of this.records) r.pending = 'none';
    emitSupervisorEvent(this.host, 'supervisor.escalated', this.cell.desc, this.id, {
      child: rec.spec.id,
      reason,
      error,
    });
    const failure = new EscalatedError(this.id, rec.spec.id, reason, error);
    this.stopAllThen('escalated', () => {
      this.mode = 'failed';
      // Fail in a turn of our own, so the directive finds us suspended between messages.
      this.host.sendSystem(this.cell.ref, extMsg(FAIL, failure));
    });
  }

  restartTimes(): readonly number[] {
    return this.intensity.restartTimes;
  }

  restoreRestarts(times: readonly number[]): void {
    this.intensity.restore(times);
  }
}

/** The Supervisor behind a supervisor actor's cell (undefined for any other actor). */
export function supervisorOf(cell: ActorCell): Supervisor | undefined {
  return cell.state instanceof Supervisor ? cell.state : undefined;
}
