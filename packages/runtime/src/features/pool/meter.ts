/**
 * A pool's bookkeeping: the outcome counters, wait and run time samples, the
 * hand-out window and worker time for utilization. Counting lives here so the
 * pool (pool.ts) is only the protocol.
 *
 * The window: a worker is handed about `AHEAD_MS` of work ahead, from an
 * EWMA of recent run times, so a high-priority task never waits behind much
 * that was handed before it.
 */
import type { Clock } from '../../kernel/clock.ts';
import { Samples } from './samples.ts';
import type { Outcome } from './task.ts';

const AHEAD_MS = 2;
const MAX_WINDOW = 128;

export class PoolMeter {
  readonly counts: Record<Outcome | 'submitted' | 'retried', number> = {
    submitted: 0,
    completed: 0,
    failed: 0,
    timedOut: 0,
    cancelled: 0,
    rejected: 0,
    retried: 0,
  };
  readonly waitTimes = new Samples();
  readonly runTimes = new Samples();
  /** Tasks a worker may hold unanswered. */
  window = 1;
  /** Run time of every answered task, ms (the Go package's TotalDuration). */
  totalMs = 0;
  /** Mean run time (EWMA), ms; NaN until the first answer. */
  private avgRunMs = Number.NaN;
  private busyMs = 0;
  private workerMs = 0;
  private lastAccountAt: number;

  constructor(private readonly clock: Clock) {
    this.lastAccountAt = clock.now();
  }

  /** A worker answered after `ms` of running its task. */
  ran(ms: number): void {
    this.runTimes.add(ms);
    this.busyMs += ms;
    this.totalMs += ms;
    this.avgRunMs = Number.isNaN(this.avgRunMs) ? ms : 0.8 * this.avgRunMs + 0.2 * ms;
    this.window = Math.max(1, Math.min(MAX_WINDOW, Math.ceil(AHEAD_MS / Math.max(this.avgRunMs, 1e-3))));
  }

  /** Worker time for utilization: `workers` × elapsed since the last account (call before the count changes). */
  account(workers: number): void {
    const now = this.clock.now();
    this.workerMs += workers * (now - this.lastAccountAt);
    this.lastAccountAt = now;
  }

  /** Share of worker time spent running tasks since the previous call (0–1). */
  utilization(workers: number): number {
    this.account(workers);
    const u = this.workerMs > 0 ? Math.min(1, this.busyMs / this.workerMs) : 0;
    this.busyMs = this.workerMs = 0;
    return u;
  }
}
