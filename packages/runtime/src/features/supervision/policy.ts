/**
 * Failure routing: the host hooks that turn a child's failure into a
 * supervisor's decision. Installed once per host, the first time a
 * supervisor or an actor with a `supervision` option is spawned.
 *
 * Protocol:
 * 1. A child whose parent supervises (a supervisor actor, or any actor
 *    defined with `supervision`) suspends itself where it failed (receive,
 *    onStart, or init during a restart) and posts the failure to the parent
 *    as a system message; the directive comes back the same way. Its failing
 *    message is already dead-lettered `failed`, unless a retry policy took it.
 * 2. A top-level supervisor that fails reports to its root guardian (tree.ts).
 * 3. Every other actor keeps the core's default policy (restart on a receive
 *    failure, stop on an onStart or init failure).
 * 4. A supervisor learns that a child terminated by a system message posted
 *    from the child's stop (the `onChildStopped` hook), with the reason.
 */
import type { ActorCell } from '../../kernel/cell.ts';
import { ALIVE } from '../../kernel/cell.ts';
import { ConfigError, EscalatedError } from '../../kernel/errors.ts';
import type { Host } from '../../kernel/host.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import { checkKeys } from '../../kernel/validate.ts';
import {
  type Decider,
  type DeciderTable,
  type Directive,
  decide,
  defaultDecider,
  resolveDecider,
} from './decider.ts';
import { emitSupervisorEvent, emitSupervisorNote } from './events.ts';
import { type IntensityOptions, IntensityWindow, resolveIntensity } from './intensity.ts';
import { supervisorOf } from './supervisor.ts';
import { direct, sendSystem } from './transport.ts';

/** `defineActor(..., { supervision })`: how an actor supervises the children it spawns with `ctx.spawn`. */
export interface ChildSupervisionOptions {
  /** Default: restart. */
  readonly decider?: Decider | DeciderTable;
  /** Restarts of all its children together, as a sliding window. Default OTP's 1 in 5 s. */
  readonly intensity?: Partial<IntensityOptions>;
}

export class ChildSupervision {
  constructor(
    readonly decider: Decider,
    readonly intensity: IntensityOptions,
  ) {}
}

export function resolveChildSupervision(v: unknown, path: string): ChildSupervision | undefined {
  if (v === undefined || v instanceof ChildSupervision) return v;
  if (v === null || typeof v !== 'object') throw new ConfigError(path, '{ decider?, intensity? }', v);
  checkKeys(v, ['decider', 'intensity'], path);
  const o = v as ChildSupervisionOptions;
  return new ChildSupervision(
    o.decider === undefined ? defaultDecider : resolveDecider(o.decider, `${path}.decider`),
    resolveIntensity(o.intensity, `${path}.intensity`),
  );
}

/** Whether `cell` supervises the children it spawns (a supervisor, or `defineActor(..., { supervision })`). */
export function supervisesChildren(cell: ActorCell): boolean {
  return supervisorOf(cell) !== undefined || cell.def.supervision !== undefined;
}

const installed = new WeakSet<Host>();

export function installSupervision(host: Host): void {
  if (installed.has(host)) return;
  installed.add(host);
  const fallback = host.failurePolicy;
  host.failurePolicy = (cell, error, phase) => {
    const parent = cell.parent;
    if (parent !== null && (supervisorOf(parent) !== undefined || parent.def.supervision !== undefined)) {
      cell.suspend();
      const ref = cell.ref;
      sendSystem(parent.ref, (p) => {
        const sup = supervisorOf(p);
        if (sup !== undefined) sup.childFailed(ref, error, phase);
        else superviseChild(p, ref, error, phase);
      });
      return;
    }
    // A supervising parent on another executor (linked by ref, executors/links.ts): the failure goes as data.
    const far = parent === null && cell.remoteSupervised ? cell.remoteParent : null;
    if (far !== null && host.remote?.childFailed !== undefined) {
      cell.suspend();
      host.remote.childFailed(far, cell.ref, error, phase);
      return;
    }
    const root = parent === null ? supervisorOf(cell)?.root : undefined;
    if (root !== undefined) {
      cell.suspend();
      root.failed(cell.ref, error);
      return;
    }
    fallback(cell, error, phase);
  };
  const previous = host.onChildStopped;
  host.onChildStopped = (parent, child) => {
    previous?.(parent, child);
    if (supervisorOf(parent) === undefined) return;
    const ref = child.ref;
    const reason = child.stopReason;
    sendSystem(parent.ref, (p) => supervisorOf(p)?.childExited(ref, reason));
  };
  // The same for a child on another executor (its child-gone carries the reason, executors/links.ts step 4).
  const previousRemote = host.onRemoteChildStopped;
  host.onRemoteChildStopped = (parent, ref, reason) => {
    previousRemote?.(parent, ref, reason);
    if (supervisorOf(parent) === undefined) return;
    sendSystem(parent.ref, (p) => supervisorOf(p)?.childExited(ref, reason));
  };
}

/** A failure reported by a child on another executor (executors/links.ts), in the parent's turn. */
export function remoteChildFailed(
  parent: ActorCell,
  ref: ActorRef,
  error: unknown,
  phase: 'init' | 'start' | 'receive',
): void {
  const sup = supervisorOf(parent);
  if (sup !== undefined) sup.childFailed(ref, error, phase);
  else if (parent.def.supervision !== undefined) superviseChild(parent, ref, error, phase);
}

/** Per-parent state of plain-actor supervision (the parent's own; touched only in its turns). */
const windows = new WeakMap<ActorCell, IntensityWindow>();
const restartCounts = new WeakMap<ActorRef, number>();

/**
 * Step 1 for a plain parent, in the parent's turn: one-for-one, restart in
 * place, no backoff. Past the intensity, or on `escalate`, the child is
 * stopped and the parent itself fails with an EscalatedError, which its own
 * parent's policy then handles.
 */
function superviseChild(
  parent: ActorCell,
  ref: ActorRef,
  error: unknown,
  phase: 'init' | 'start' | 'receive',
): void {
  const policy = parent.def.supervision as ChildSupervision;
  if (parent.status !== ALIVE) return; // stopping: the child goes with it
  const host = parent.host;
  const id = ref.name ?? String(ref.id);
  const restarts = restartCounts.get(ref) ?? 0;
  const sup = parent.desc;
  const supId = parent.ref.name ?? parent.def.name;
  emitSupervisorEvent(host, 'supervisor.child-failed', sup, supId, {
    child: id,
    error,
    offender: { id, actor: ref.toJSON(), kind: 'worker', restart: 'permanent' },
    context: phase,
  });
  let d: Directive =
    phase === 'init'
      ? 'restart'
      : decide(policy.decider, error, { id, ref, kind: 'worker', restart: 'permanent', restarts });
  let reason: 'intensity' | 'directive' = 'directive';
  if (d === 'restart') {
    let w = windows.get(parent);
    if (w === undefined) windows.set(parent, (w = new IntensityWindow(policy.intensity)));
    if (!w.add(host.clock.now())) {
      emitSupervisorEvent(host, 'supervisor.intensity-exceeded', sup, supId, {
        child: id,
        maxRestarts: policy.intensity.maxRestarts,
        withinMs: policy.intensity.withinMs,
      });
      d = 'escalate';
      reason = 'intensity';
    }
  }
  switch (d) {
    case 'resume':
      direct(host, ref, 'resume');
      emitSupervisorNote(host, 'supervisor.child-resumed', {
        supervisor: sup,
        supervisorId: supId,
        child: id,
      });
      return;
    case 'restart':
      restartCounts.set(ref, restarts + 1);
      direct(host, ref, 'restart');
      emitSupervisorEvent(host, 'supervisor.child-restarted', sup, supId, {
        child: id,
        actor: ref.toJSON(),
        attempt: restarts + 1,
        delayMs: 0,
      });
      return;
    case 'stop':
      host.stopRef(ref, 'failed');
      return;
    case 'escalate':
      emitSupervisorEvent(host, 'supervisor.escalated', sup, supId, { child: id, reason, error });
      host.stopRef(ref, 'escalated');
      parent.failed(new EscalatedError(supId, id, reason, error), undefined, undefined, 'receive');
  }
}
