/**
 * The shutdown report: what every phase took and what happened to every actor
 * and message. Built incrementally by the coordinator, frozen once at the end;
 * the same object is the `shutdown()` result and the `shutdown.completed` event.
 *
 * Invariants: counts are deltas over the shutdown (from the stats snapshot
 * taken when phase 1 began), so a report never mixes in what happened before
 * it; and the outcome never hides loss — a message dead-lettered by shutdown, a
 * phase past its deadline or an actor killed is never `clean`.
 */
import type { OnStopFate } from '../../kernel/cell.ts';
import type { ActorDescription } from '../../kernel/errors.ts';
import type { SystemStats } from '../../kernel/stats.ts';
import type { HookFailure, ShutdownPhase } from './hooks.ts';

export interface PhaseReport {
  readonly phase: ShutdownPhase;
  /** 1-based step number, as in the protocol. */
  readonly step: number;
  readonly durationMs: number;
  /** User hooks that ran in this phase. */
  readonly hooks: number;
  /**
   * The runtime's step ran out of time: the drain past `drainTimeoutMs` with work left, an executor
   * that did not answer, phase 3 at the deadline, executor threads that did not exit.
   */
  readonly timedOut: boolean;
}

export interface ForcedActor {
  readonly actor: ActorDescription;
  /**
   * `shutdown-timeout`: overran its own shutdownMs; `deadline`: still alive when time ran out;
   * `forced`: a forced shutdown; `executor-terminated`: its handler hung its executor, which was terminated.
   */
  readonly cause: 'shutdown-timeout' | 'deadline' | 'forced' | 'executor-terminated';
  /**
   * What became of its onStop, the same in both modes: `none` (its definition has none), `skipped`
   * (never ran), `abandoned` (had started, did not finish; what it does later changes nothing).
   * A forced actor's onStop never completes after the report: it is reported here instead.
   */
  readonly onStop: OnStopFate;
}

/**
 * Most severe first: `forced` (an actor or executor was killed, or a force was requested; exit code
 * 2), `incomplete` (nothing killed, but a message was dead-lettered by shutdown or a phase ran past
 * its deadline; 3), `failed` (a hook failed; 1), `clean` (0).
 */
export type ShutdownOutcome = 'clean' | 'failed' | 'incomplete' | 'forced';

export interface ShutdownReport {
  readonly reason: string;
  /** The most severe of what happened (see ShutdownOutcome); `exitCodeOf` maps it to an exit code. */
  readonly outcome: ShutdownOutcome;
  readonly durationMs: number;
  readonly phases: readonly PhaseReport[];
  /** Messages processed from the start of shutdown to the end of the drain phase. */
  readonly drained: number;
  /** Messages processed during the whole shutdown (drain, onStop and stop-phase traffic). */
  readonly processed: number;
  /**
   * Actors that stopped gracefully during shutdown (onStop ran): live at the start, minus forced,
   * minus those that went down with a terminated executor, minus survivors. With executors it can
   * under-count the actors that were migrating at that instant.
   */
  readonly stopped: number;
  /** Actors force-stopped (their onStop did not complete). */
  readonly forced: readonly ForcedActor[];
  /** Executor threads terminated because a handler hung on them (its actors did not stop gracefully). */
  readonly terminatedExecutors: readonly number[];
  /** Messages dead-lettered during shutdown, by reason. */
  readonly deadLettered: Readonly<Record<string, number>>;
  readonly hookFailures: readonly HookFailure[];
  /** A second signal or `forceShutdown()` cut the shutdown short. */
  readonly forceRequested: boolean;
  /** System stats at the end: `inFlight` is 0 unless a handler is stuck synchronously. */
  readonly stats: SystemStats;
}

export class ReportBuilder {
  readonly phases: PhaseReport[] = [];
  readonly forced: ForcedActor[] = [];
  readonly terminatedExecutors: number[] = [];
  readonly hookFailures: HookFailure[] = [];
  drained = 0;
  /** Live actors once intake closed (none can be spawned after): the base of `stopped`. */
  actorsAtIntakeClosed = -1;
  /** Actors that went down with terminated executors and are not named in `forced`. */
  unnamedDown = 0;

  constructor(
    readonly reason: string,
    readonly startedAt: number,
    /** Stats when shutdown began: every count in the report is a delta from here. */
    readonly before: SystemStats,
  ) {}

  build(now: number, after: SystemStats, forceRequested: boolean): ShutdownReport {
    const deadLettered: Record<string, number> = {};
    for (const [k, v] of Object.entries(after.deadLettered.byReason)) {
      const d = v - (this.before.deadLettered.byReason[k] ?? 0);
      if (d > 0) deadLettered[k] = d;
    }
    const outcome: ShutdownOutcome =
      forceRequested || this.forced.length > 0 || this.terminatedExecutors.length > 0
        ? 'forced'
        : (deadLettered.shutdown ?? 0) > 0 || this.phases.some((p) => p.timedOut)
          ? 'incomplete'
          : this.hookFailures.length > 0
            ? 'failed'
            : 'clean';
    // With executors an actor in the middle of a migration is counted by no thread: take the larger view.
    const base = Math.max(this.actorsAtIntakeClosed, this.before.actors);
    const gone = Math.max(0, base - after.actors);
    return Object.freeze({
      reason: this.reason,
      outcome,
      durationMs: now - this.startedAt,
      phases: Object.freeze([...this.phases]),
      drained: this.drained,
      processed: after.processed - this.before.processed,
      stopped: Math.max(0, gone - this.forced.length - this.unnamedDown),
      forced: Object.freeze([...this.forced]),
      terminatedExecutors: Object.freeze([...this.terminatedExecutors]),
      deadLettered,
      hookFailures: Object.freeze([...this.hookFailures]),
      forceRequested,
      stats: after,
    });
  }
}

/** Exit status for a process that shut down on a signal: 0 clean, 1 failed, 2 forced, 3 incomplete. */
export function exitCodeOf(report: ShutdownReport): number {
  switch (report.outcome) {
    case 'clean':
      return 0;
    case 'failed':
      return 1;
    case 'forced':
      return 2;
    case 'incomplete':
      return 3;
  }
}

/** One line for logs: outcome, time, and what happened to actors and messages. */
export function formatReport(r: ShutdownReport): string {
  const dl = Object.entries(r.deadLettered)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const phases = r.phases
    .map((p) => `${p.phase}=${p.durationMs.toFixed(1)}ms${p.timedOut ? '(timed out)' : ''}`)
    .join(' ');
  const hooks = r.hookFailures.map((f) => `${f.phase}/${f.hook}:${f.kind}`).join(' ');
  return (
    `troupe shutdown (${r.reason}): ${r.outcome} in ${r.durationMs.toFixed(1)} ms; ` +
    `stopped ${r.stopped}, forced ${r.forced.length}; drained ${r.drained}, processed ${r.processed}; ` +
    `dead-lettered ${dl || 'none'}; hook failures ${hooks || 'none'}; phases ${phases}`
  );
}
