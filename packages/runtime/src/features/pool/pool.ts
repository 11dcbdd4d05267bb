/**
 * Pool: the task-pool facade over actors (`system.pool(task, options)`): its
 * public API over the protocol in core.ts (submit and its groups, wait,
 * resize, stats, close, destroy).
 */

import type { TimerHandle } from '../../kernel/clock.ts';
import { PoolClosedError } from '../../kernel/errors.ts';
import type { AbortReason } from './board.ts';
import { CLOSED, CLOSING, DESTROYED, OPEN, PoolCore } from './core.ts';
import { type GroupOptions, TaskGroup } from './group.ts';
import { type MapOptions, mapTasks } from './map.ts';
import { resolveCloseTimeout, resolveResize, resolveTaskOptions, type TaskOptions } from './options.ts';
import type { PoolCloseReport, PoolStats } from './stats.ts';

export type { PoolPort } from './core.ts';

export class Pool<I = unknown, R = unknown> extends PoolCore<I, R> {
  /** @internal starts `min` workers. */
  start(): Promise<void> {
    return this.workers.ensureMin();
  }

  /** Backpressure, workers lost or resized, close: see events.ts. */
  get events$() {
    return this.subject.asObservable();
  }

  /**
   * Runs `input` through the task function; resolves with its result. A full queue rejects with
   * PoolFullError, or waits for room, per `queue.whenFull`; a closed pool rejects with PoolClosedError.
   */
  submit(input: I, options?: TaskOptions): Promise<R> {
    try {
      return this.enqueue(input, options, this.opts.whenFull).promise;
    } catch (e) {
      return Promise.reject(e); // a bad option (ConfigError): nothing was submitted
    }
  }

  /** As `submit`, but a full queue makes it wait for room whatever `queue.whenFull` says (the seed's SubmitWait). */
  submitWait(input: I, options?: TaskOptions): Promise<R> {
    try {
      return this.enqueue(input, options, 'wait').promise;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Runs every input (errgroup): resolves with the results in input order, or rejects with the
   * first failure once the other tasks are cancelled (`reason: 'group'`). `concurrency` bounds
   * how many are submitted at once; `signal` cancels them all; the rest are each task's options.
   */
  submitAll(inputs: Iterable<I>, options: TaskOptions & GroupOptions = {}): Promise<R[]> {
    try {
      const { concurrency, signal, ...rest } = options;
      const g = new TaskGroup<I, R>(
        this,
        {
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(signal === undefined ? {} : { signal }),
        },
        'pool.submitAll(options)',
      );
      let taskOptions: TaskOptions | undefined;
      if (Object.keys(rest).length > 0) {
        resolveTaskOptions(rest, this.opts, 'pool.submitAll(options)'); // a bad field fails before any task runs
        taskOptions = rest;
      }
      for (const x of inputs) g.go(x, taskOptions);
      return g.wait();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** A task group (Go's errgroup): `go(input)` adds tasks, `wait()` gives the results or the first failure. */
  group(options?: GroupOptions): TaskGroup<I, R> {
    return new TaskGroup<I, R>(this, options);
  }

  /**
   * Results in input order, at most `concurrency` tasks pending at once (inputs are pulled as
   * tasks end). The first failure is thrown and the rest cancelled; so are they on `break`.
   */
  map(inputs: Iterable<I> | AsyncIterable<I>, options: MapOptions = {}): AsyncGenerator<R, void, undefined> {
    return mapTasks<I, R>(this, inputs, options, Math.max(64, 64 * this.workers.max));
  }

  /** Resolves once no submitted task is pending (every one has finished, whichever way). */
  wait(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /** Changes the number of workers: `n` exactly, or new `{ min, max }` bounds. */
  resize(n: number | { readonly min?: number; readonly max?: number }): void {
    if (this.state !== OPEN) throw new PoolClosedError(this.name, this.stateName());
    const { min, max } = resolveResize(n, this.workers.min, this.workers.max);
    this.account();
    this.workers.resize(min, max);
    this.emit(() => ({ type: 'pool.resized', pool: this.name, at: this.port.clock.now(), min, max }));
    this.pump();
  }

  stats(): PoolStats {
    const m = this.meter;
    const c = m.counts;
    return {
      name: this.name,
      workers: this.workers.count,
      activeWorkers: this.workers.active,
      queuedTasks: this.queue.size,
      queueDepth: this.queue.size + this.waiting,
      queuedByPriority: this.queue.byLevel(),
      waitingTasks: this.waiting,
      runningTasks: this.running,
      retryingTasks: this.retrying.size,
      submittedTasks: c.submitted,
      completedTasks: c.completed,
      failedTasks: c.failed,
      timedOutTasks: c.timedOut,
      cancelledTasks: c.cancelled,
      rejectedTasks: c.rejected,
      retriedTasks: c.retried,
      pendingTasks: this.pending,
      workerUtilization: m.utilization(this.workers.count),
      totalDurationMs: m.totalMs,
      waitTimeMs: m.waitTimes.percentiles(),
      runTimeMs: m.runTimes.percentiles(),
      window: m.window,
    };
  }

  /**
   * Graceful stop: new submits are refused (PoolClosedError), queued and running work finishes,
   * then the workers stop. Past `timeoutMs` (default: no limit) what is left is abandoned —
   * cancelled with `reason: 'closed'`, running tasks' signals aborted — and reported.
   * Idempotent: every call returns the first call's promise.
   */
  close(
    options: { readonly timeoutMs?: number } = {},
    reason: 'closed' | 'shutdown' = 'closed',
  ): Promise<PoolCloseReport> {
    if (this.closing !== null) return this.closing;
    const timeoutMs = resolveCloseTimeout(options);
    if (this.state === OPEN) this.state = CLOSING;
    this.closing = this.closeNow(timeoutMs, reason);
    return this.closing;
  }

  private async closeNow(timeoutMs: number, reason: AbortReason): Promise<PoolCloseReport> {
    let abandoned = { queued: 0, running: 0 };
    if (this.pending > 0) {
      const clock = this.port.clock;
      let timer: TimerHandle | null = null;
      const late = await new Promise<boolean>((resolve) => {
        this.idleWaiters.push(() => resolve(false));
        if (timeoutMs !== Number.POSITIVE_INFINITY) timer = clock.setTimeout(() => resolve(true), timeoutMs);
      });
      if (timer !== null) clock.clearTimeout(timer);
      if (late) abandoned = this.cancelAll(reason);
    }
    await this.shutdownWorkers();
    if (this.state !== DESTROYED) this.state = CLOSED;
    const report: PoolCloseReport = {
      drained: abandoned.queued + abandoned.running === 0,
      abandoned,
      stats: this.stats(),
    };
    this.emit(() => ({ type: 'pool.closed', pool: this.name, at: this.port.clock.now(), report }));
    this.subject.complete();
    return report;
  }

  /** Stops at once: every pending task is cancelled (`reason: 'destroyed'`), then the workers stop. */
  async destroy(): Promise<void> {
    if (this.state === DESTROYED) return;
    this.state = DESTROYED;
    this.cancelAll('destroyed');
    await (this.closing ?? this.close({}));
  }
}
