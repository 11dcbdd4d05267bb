/**
 * What a pool reports, with the seeds' names: the Go worker package's
 * Workers / ActiveWorkers / QueuedTasks / CompletedTasks / FailedTasks /
 * TotalDuration and the Go pool's WorkerUtilization and QueueDepth, in camel case.
 *
 * Accounting: every submitted task ends as exactly one of completed, failed,
 * timed out, cancelled or rejected, so at every instant
 * `submittedTasks = completedTasks + failedTasks + timedOutTasks + cancelledTasks
 * + rejectedTasks + pendingTasks`, and `pendingTasks` is 0 once `wait()` resolves.
 */
import type { Percentiles } from './samples.ts';

export interface PoolStats {
  readonly name: string;
  /** Workers (actors) the pool has now, and how many of them hold a task. */
  readonly workers: number;
  readonly activeWorkers: number;
  /** Tasks in the queue, not yet handed to a worker. */
  readonly queuedTasks: number;
  /** The backlog: queued tasks plus submits waiting for room. */
  readonly queueDepth: number;
  /** Queued tasks per priority level (index = priority). */
  readonly queuedByPriority: readonly number[];
  /** Submits waiting for room in a full queue (`whenFull: 'wait'`, `submitWait`). */
  readonly waitingTasks: number;
  /** Tasks handed to a worker and not finished. */
  readonly runningTasks: number;
  /** Tasks between a failure and their retry. */
  readonly retryingTasks: number;
  readonly submittedTasks: number;
  readonly completedTasks: number;
  readonly failedTasks: number;
  readonly timedOutTasks: number;
  readonly cancelledTasks: number;
  readonly rejectedTasks: number;
  /** Retries run (a task retried twice counts 2). */
  readonly retriedTasks: number;
  /** Tasks not finished yet: queued, waiting, running or retrying. */
  readonly pendingTasks: number;
  /** Share of the workers' time spent running tasks since the previous `stats()` (0–1). */
  readonly workerUtilization: number;
  /** Run time of every task answered so far, ms. */
  readonly totalDurationMs: number;
  /** Submit (or retry) → handed to a worker, ms, over the most recent tasks. */
  readonly waitTimeMs: Percentiles;
  /** The task function's own time on its worker, ms, over the most recent tasks. */
  readonly runTimeMs: Percentiles;
  /** Tasks a worker is handed ahead at most, from the recent run times (about 2 ms of work). */
  readonly window: number;
}

/** What `close()` resolves with. */
export interface PoolCloseReport {
  /** True when every task finished before `timeoutMs`; false when some were abandoned. */
  readonly drained: boolean;
  /** Tasks abandoned at the timeout (cancelled, `reason: 'closed'`): not started, and running. */
  readonly abandoned: { readonly queued: number; readonly running: number };
  readonly stats: PoolStats;
}
