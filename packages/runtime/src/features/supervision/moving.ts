/**
 * A supervisor as data, so it can move to another executor (steal,
 * compaction, `system.migrate`) like any actor, its children wherever they
 * run.
 *
 * Protocol (supervisor S moving from executor E to F):
 * 1. S may move only at rest (`whyImmovable`): running (not starting,
 *    restarting, escalating or stopping), no child due, restarting,
 *    stopping or awaited (`terminateChild`), no timer or step of its own
 *    pending — what is in flight there holds closures and timers of E. A
 *    top-level supervisor stays: its root guardian's side (tree-threaded.ts)
 *    reports from E. S's spec must be data (deciders as tables, actors by
 *    name): that is what props carry (`supervisorProps`).
 * 2. The kernel switches S's links to refs (executors/links.ts step 1): its
 *    children, here or elsewhere, report to S by routing from now on.
 * 3. `supervisorToValue` encodes the records in order (each child's spec as
 *    the data it was given, its incarnation's ref, counts) and the times of
 *    the intensity window and of each child's start as ages: each thread's
 *    clock has its own origin.
 * 4. On F, `supervisorFromValue` rebuilds the records; `attach` (the
 *    supervision plugin's adopt hook) gives S its cell and turns the ages
 *    back into times on F's clock.
 */
import type { ActorCell } from '../../kernel/cell.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import { newRecord } from './records.ts';
import {
  type ChildSpec,
  childSource,
  resolveChild,
  type SupervisorSpec,
  type SupervisorSpecInput,
  specSource,
  supervisor,
} from './spec.ts';
import type { SpawnSupervisor, Supervisor } from './supervisor.ts';

interface RecordValue {
  readonly spec: unknown;
  readonly ref: ActorRef | null;
  readonly alive: boolean;
  readonly suspended: boolean;
  readonly restarts: number;
  readonly attempt: number;
  readonly startedAge: number;
  readonly treeStarted: boolean;
  readonly delayMs: number;
}

interface SupervisorValue {
  readonly records: readonly RecordValue[];
  /** Ages (ms before the move) of the restarts inside the intensity window. */
  readonly restartAges: readonly number[];
}

/** Step 1: why `sup` cannot move now (a ConfigError's expected/found), or undefined. */
export function whyImmovable(sup: Supervisor): { expected: string; found: string } | undefined {
  if (sup.root !== undefined)
    return {
      expected: 'a supervisor below the top of its tree (the top one reports to the root from its executor)',
      found: 'a top-level supervisor',
    };
  if (sup.mode !== 'running' || !sup.atRest())
    return {
      expected: 'a supervisor at rest (no child starting, restarting or stopping)',
      found: `a supervisor ${sup.mode === 'running' ? 'busy with its children' : sup.mode}`,
    };
  return undefined;
}

/** The spec as props carry it: its data form where the host moves actors (step 1). */
export function supervisorProps(
  spec: SupervisorSpec,
  movable: boolean,
): SupervisorSpec | SupervisorSpecInput {
  if (!movable) return spec;
  const src = specSource(spec);
  return src === undefined ? spec : { ...src, id: spec.id };
}

/** Step 3. */
export function supervisorToValue(sup: Supervisor): SupervisorValue {
  const now = sup.cell.host.clock.now();
  return {
    records: sup.records.map((r) => ({
      spec: childSource(r.spec) ?? r.spec,
      ref: r.ref ?? null,
      alive: r.alive,
      suspended: r.suspended,
      restarts: r.restarts,
      attempt: r.attempt,
      startedAge: now - r.startedAt,
      treeStarted: r.treeStarted,
      delayMs: r.delayMs,
    })),
    restartAges: sup.restartTimes().map((t) => now - t),
  };
}

/** Step 4, before the cell exists: `attach` completes it. */
export function supervisorFromValue(
  value: unknown,
  spec: SupervisorSpec | SupervisorSpecInput,
  make: (spec: SupervisorSpec) => Supervisor,
): Supervisor {
  const v = value as SupervisorValue;
  const sup = make(supervisor(spec));
  sup.records.length = 0;
  v.records.forEach((r, i) => {
    const rec = newRecord(resolveChild(r.spec, `supervisor.records[${i}]`) as ChildSpec);
    rec.ref = r.ref ?? undefined;
    rec.alive = r.alive;
    rec.suspended = r.suspended;
    rec.restarts = r.restarts;
    rec.attempt = r.attempt;
    rec.startedAt = -r.startedAge; // an age until attach
    rec.treeStarted = r.treeStarted;
    rec.delayMs = r.delayMs;
    sup.records.push(rec);
  });
  sup.mode = 'running';
  sup.arrived = v.restartAges;
  return sup;
}

/** Step 4 on F: the supervisor's cell, and its times on F's clock. */
export function attach(sup: Supervisor, cell: ActorCell): void {
  if (sup.cell === cell) return;
  sup.cell = cell;
  const ages = sup.arrived;
  if (ages === null) return;
  sup.arrived = null;
  const now = cell.host.clock.now();
  for (const r of sup.records) r.startedAt = now + r.startedAt;
  sup.restoreRestarts(ages.map((a) => now - a));
}

export type { SpawnSupervisor };
