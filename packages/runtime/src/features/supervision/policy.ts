/**
 * Supervision by a plain parent: `defineActor(..., { supervision })` makes an
 * actor supervise the children it spawns with `ctx.spawn` — one-for-one,
 * restart in place, no backoff — with a decider and an intensity window.
 *
 * Step 1 of the failure protocol (plugin.ts) delivers a child's failure to
 * the parent as a `failed` system message; `superviseChild` decides in the
 * parent's turn. Past the intensity, or on `escalate`, the child is stopped
 * and the parent itself fails with an EscalatedError, which its own parent's
 * policy then handles. The parent's window and per-child restart counts live
 * in its `supervision.parent` slot.
 */
import type { ActorCell } from '../../kernel/cell.ts';
import { ALIVE } from '../../kernel/cell.ts';
import { ConfigError, EscalatedError } from '../../kernel/errors.ts';
import { defineSlot } from '../../kernel/ext.ts';
import { defineOption } from '../../kernel/feature-options.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import { directiveMsg, type FailurePhase } from '../../kernel/sysmsg.ts';
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

declare module '../../kernel/definition.ts' {
  interface DefinitionOptions {
    /**
     * How this actor supervises the children it spawns with `ctx.spawn`
     * (one-for-one, restart in place): a decider and an intensity window.
     * Without it, a failed child is restarted by the core default.
     */
    readonly supervision?: ChildSupervisionOptions | ChildSupervision;
  }
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

defineOption('supervision', { definition: true }, resolveChildSupervision);

/** Per-parent state of plain-actor supervision (touched only in the parent's turns; stays on its thread). */
interface ParentState {
  readonly window: IntensityWindow;
  /** Restarts so far, by child id. */
  readonly restarts: Map<number, number>;
}

const PARENT = defineSlot<ParentState>('supervision.parent');

/** A child of a plain supervising parent is gone: its restart count goes with it. */
export function forgetChild(parent: ActorCell, child: ActorRef): void {
  PARENT.get(parent)?.restarts.delete(child.id);
}

/** Decides, in the parent's turn, about a child's failure (module header). */
export function superviseChild(parent: ActorCell, ref: ActorRef, error: unknown, phase: FailurePhase): void {
  const policy = parent.def.supervision as ChildSupervision;
  if (parent.status !== ALIVE) return; // stopping: the child goes with it
  const host = parent.host;
  const id = ref.name ?? String(ref.id);
  let state = PARENT.get(parent);
  if (state === undefined)
    PARENT.set(parent, (state = { window: new IntensityWindow(policy.intensity), restarts: new Map() }));
  const restarts = state.restarts.get(ref.id) ?? 0;
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
  if (d === 'restart' && !state.window.add(host.clock.now())) {
    emitSupervisorEvent(host, 'supervisor.intensity-exceeded', sup, supId, {
      child: id,
      maxRestarts: policy.intensity.maxRestarts,
      withinMs: policy.intensity.withinMs,
    });
    d = 'escalate';
    reason = 'intensity';
  }
  switch (d) {
    case 'resume':
      host.sendSystem(ref, directiveMsg('resume'));
      emitSupervisorNote(host, 'supervisor.child-resumed', {
        supervisor: sup,
        supervisorId: supId,
        child: id,
      });
      return;
    case 'restart':
      state.restarts.set(ref.id, restarts + 1);
      host.sendSystem(ref, directiveMsg('restart'));
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
