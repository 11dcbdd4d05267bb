/**
 * What a pool reports, with the seeds' names: the Go worker package's
 * Workers / ActiveWorkers / QueuedTasks / CompletedTasks / FailedTasks, the
 * Rust pool's statistics and the Go pool's WorkerUtilization and QueueDepth.
 *
 * Accounting: every submitted task ends as exactly one of completed, failed,
 * timedOut, cancelled or rejected, so at every instant
 * `submitted = completed + failed + timedOut + cancelled + rejected + pending`,
 * and `pending` is 0 once `wait()` resolves.
 */
import type { Percentiles } from './samples.ts';

export interface PoolStats {
  readonly name: string;
  /** Workers (actors) the pool has now, and how many of them hold a task. */
  readonly workers: number;
  readonly activeWorkers: number;
  /** Tasks in the queue (not yet handed to a worker), and per priority level (index = priority). */
  readonly queueDepth: number;
  readonly queuedByPriority: readonly number[];
  /** Submits waiting for room in a full queue (`whenFull: 'wait'`, `submitWait`). */
  readonly waiting: number;
  /** Tasks handed to a worker and not finished. */
  readonly running: number;
  /** Tasks between a failure and their retry. */
  readonly retrying: number;
  readonly submitted: number;
  readonly completed: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly cancelled: number;
  readonly rejected: number;
  /** Retries run (a task retried twice counts 2). */
  readonly retried: number;
  /** Tasks not finished yet: queued, waiting, running or retrying. */
  readonly pending: number;
  /** Share of the workers' time spent running tasks since the previous `stats()` (0–1). */
  readonly utilization: number;
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
