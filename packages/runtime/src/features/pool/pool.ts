/**
 * Pool: the task-pool facade over actors (`system.pool(task, options)`).
 *
 * The queue, priorities, aging, rate limit and backpressure live here, on the
 * thread that submits; the tasks run on workers, which are actors on the
 * system's executors (workers.ts, worker.ts). Protocol:
 * 1. submit: a task enters the queue (or is rejected: full, closed; or waits
 *    for room) and `pump` runs.
 * 2. pump: while a worker has room and the rate limit a token, the task the
 *    queue ranks first is handed to it as an ask carrying a fresh dispatch
 *    number `k`. A worker is handed at most `window` tasks ahead — about 2 ms
 *    of work at the recent run times, so a high-priority task never waits
 *    behind much that was handed before it, and a timeout (counted from the
 *    hand-over) barely counts time spent waiting at the worker.
 * 3. The ask's answer settles the task if `k` is still its dispatch: a value
 *    completes it; the task's own error fails it, or retries it after a
 *    backoff while its policy allows; a timeout (the pool's timer) times it
 *    out and aborts the dispatch on the board (board.ts).
 * 4. A worker lost with its executor (hung, crashed) rejects its asks with
 *    ActorStoppedError: the task it had started fails with TaskLostError, those
 *    it had only been handed go back to the head of the queue, and a
 *    replacement starts.
 * 5. Cancelling (signal, group, close timeout, destroy) finishes the task at
 *    once: out of the queue if it was there, else its dispatch is aborted on
 *    the board (the worker skips it, or the running task's signal aborts).
 * `finish` is the only way out and runs once per task (task.ts).
 */
import { Subject } from 'rxjs';
import type { Clock, TimerHandle } from '../../kernel/clock.ts';
import type { ActorDefinition } from '../../kernel/definition.ts';
import {
  ConfigError,
  isActorStoppedError,
  isTroupeError,
  PoolClosedError,
  PoolFullError,
  TaskCancelledError,
  TaskLostError,
  TaskTimeoutError,
} from '../../kernel/errors.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import { MAX_TIMER_MS } from '../../kernel/validate.ts';
import { type AbortReason, abortCode, type PoolBoard } from './board.ts';
import { Deque } from './deque.ts';
import type { PoolEvent } from './events.ts';
import { type GroupOptions, TaskGroup } from './group.ts';
import { type MapOptions, mapTasks } from './map.ts';
import {
  MAX_WORKERS,
  type ResolvedPoolOptions,
  type ResolvedTask,
  resolveTaskOptions,
  type TaskOptions,
  type TaskRetry,
  taskDefaults,
} from './options.ts';
import { PriorityQueue } from './priority-queue.ts';
import { Samples } from './samples.ts';
import type { PoolCloseReport, PoolStats } from './stats.ts';
import { DISPATCHED, DONE, type Outcome, QUEUED, RETRY_WAIT, Task, WAITING } from './task.ts';
import { TokenBucket } from './token-bucket.ts';
import type { RunMsg, RunReply } from './worker.ts';
import { type WorkerHandle, Workers } from './workers.ts';

/** What the system lends a pool (system.ts builds it). */
export interface PoolPort {
  readonly clock: Clock;
  /** Executors running actors now; 0 for an in-thread system. */
  readonly executors: number;
  spawn(def: ActorDefinition, props: unknown): Promise<ActorRef>;
  stop(ref: ActorRef): Promise<void>;
  /** Runs `fn` at the start of the system's shutdown (before intake stops); returns the unregistration. */
  onShutdown(fn: () => Promise<unknown>, timeoutMs: number): () => void;
  warn(line: string): void;
}

/** Work a worker is handed ahead, ms of its recent run time (see the protocol, step 2). */
const AHEAD_MS = 2;
const MAX_WINDOW = 128;
/** At system shutdown a pool finishes its work for this long, then abandons the rest. */
export const SHUTDOWN_CLOSE_MS = 5000;
/** The worker's answer is the task's end; the ask must never time out first. */
const ASK = Object.freeze({ timeoutMs: MAX_TIMER_MS });

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;
const DESTROYED = 3;
const STATE_NAMES = ['open', 'closing', 'closed', 'destroyed'] as const;

/** Errors the pool itself makes are not retried unless `retryOn` says so: a hung task would hang again. */
const NOT_RETRIED = new Set(['task-timeout', 'task-lost', 'task-cancelled', 'unserializable', 'pool-closed']);

export class Pool<I = unknown, R = unknown> {
  readonly name: string;
  private state = OPEN;
  private readonly queue: PriorityQueue;
  private readonly waitingLine = new Deque<Task>();
  private waiting = 0;
  private readonly retrying = new Set<Task>();
  private readonly workers: Workers;
  private readonly bucket: TokenBucket | null;
  private rateTimer: TimerHandle | null = null;
  private readonly defaults: ResolvedTask;
  private seq = 0;
  private k = 0;
  private pumping = false;
  private running = 0;
  private counts = {
    submitted: 0,
    completed: 0,
    failed: 0,
    timedOut: 0,
    cancelled: 0,
    rejected: 0,
    retried: 0,
  };
  private pending = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly waitTimes = new Samples();
  private readonly runTimes = new Samples();
  /** Mean run time (EWMA), ms; NaN until the first answer. */
  private avgRunMs = Number.NaN;
  private window = 1;
  private busyMs = 0;
  /** Run time of every answered task, ms (the Go package's TotalDuration). */
  private totalMs = 0;
  private workerMs = 0;
  private lastAccountAt: number;
  private closing: Promise<PoolCloseReport> | null = null;
  private readonly subject = new Subject<PoolEvent>();
  private readonly unhook: () => void;

  /** @internal `system.pool` builds it (index.ts createPool). */
  constructor(
    private readonly port: PoolPort,
    readonly id: string,
    private readonly opts: ResolvedPoolOptions,
    private readonly board: PoolBoard,
    workerProps: ConstructorParameters<typeof Workers>[1],
    private readonly release: () => void,
  ) {
    this.name = opts.name;
    const clock = port.clock;
    this.queue = new PriorityQueue(opts.levels, opts.agingMs);
    this.bucket = opts.rate === null ? null : new TokenBucket(opts.rate.perSecond, opts.rate.burst, clock);
    this.defaults = taskDefaults(opts);
    this.lastAccountAt = clock.now();
    this.workers = new Workers(
      {
        clock,
        spawn: port.spawn,
        stop: port.stop,
        warn: port.warn,
        changed: () => {
          this.account();
          this.pump();
        },
        none: (e) => this.noWorkers(e),
      },
      workerProps,
      board,
      opts.min,
      opts.max,
      opts.idleTimeoutMs,
    );
    this.unhook = port.onShutdown(
      () => this.close({ timeoutMs: SHUTDOWN_CLOSE_MS }, 'shutdown'),
      SHUTDOWN_CLOSE_MS + 1000,
    );
  }

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
    const range = { min: 1, max: MAX_WORKERS };
    let min: number;
    let max: number;
    if (typeof n === 'number') {
      if (!(Number.isInteger(n) && n >= range.min && n <= range.max))
        throw new ConfigError('pool.resize(n)', `an integer in [1, ${MAX_WORKERS}]`, n);
      min = max = n;
    } else {
      if (n === null || typeof n !== 'object')
        throw new ConfigError('pool.resize(n)', 'a number or { min?, max? }', n);
      for (const k of Object.keys(n))
        if (k !== 'min' && k !== 'max')
          throw new ConfigError(`pool.resize(n).${k}`, 'one of min, max', (n as never)[k]);
      max = n.max ?? this.workers.max;
      min = n.min ?? Math.min(this.workers.min, max);
      if (!(Number.isInteger(max) && max >= 1 && max <= MAX_WORKERS))
        throw new ConfigError('pool.resize(n).max', `an integer in [1, ${MAX_WORKERS}]`, n.max);
      if (!(Number.isInteger(min) && min >= 1 && min <= max))
        throw new ConfigError('pool.resize(n).min', `an integer in [1, ${max}] (not above max)`, n.min);
    }
    this.account();
    this.workers.resize(min, max);
    this.emit(() => ({ type: 'pool.resized', pool: this.name, at: this.port.clock.now(), min, max }));
    this.pump();
  }

  stats(): PoolStats {
    this.account();
    const util = this.workerMs > 0 ? Math.min(1, this.busyMs / this.workerMs) : 0;
    this.busyMs = this.workerMs = 0;
    const c = this.counts;
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
      workerUtilization: util,
      totalDurationMs: this.totalMs,
      waitTimeMs: this.waitTimes.percentiles(),
      runTimeMs: this.runTimes.percentiles(),
      window: this.window,
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
    if (options === null || typeof options !== 'object')
      throw new ConfigError('pool.close(options)', '{ timeoutMs? }', options);
    for (const k of Object.keys(options))
      if (k !== 'timeoutMs')
        throw new ConfigError(`pool.close(options).${k}`, 'timeoutMs', (options as never)[k]);
    const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
    if (
      !(
        timeoutMs === Number.POSITIVE_INFINITY ||
        (typeof timeoutMs === 'number' && timeoutMs >= 0 && timeoutMs <= MAX_TIMER_MS)
      )
    )
      throw new ConfigError(
        'pool.close(options).timeoutMs',
        `a number in [0, ${MAX_TIMER_MS}] or Infinity`,
        timeoutMs,
      );
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

  // ---- submission -----------------------------------------------------------

  /** @internal submit's core; groups and map hold the task to cancel it. */
  enqueue(
    input: I,
    options: TaskOptions | undefined,
    whenFull: 'reject' | 'wait',
  ): { task: Task; promise: Promise<R> } {
    const o = options === undefined ? this.defaults : resolveTaskOptions(options, this.opts);
    let resolve!: (v: R) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<R>((a, b) => {
      resolve = a;
      reject = b;
    });
    const t = new Task(++this.seq, input, o, resolve as (v: unknown) => void, reject);
    const handle = { task: t, promise };
    this.counts.submitted++;
    this.pending++;
    if (this.state !== OPEN) {
      this.finish(t, 'rejected', new PoolClosedError(this.name, this.stateName()));
      return handle;
    }
    const signal = o.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.finish(t, 'cancelled', new TaskCancelledError(this.name, o.id, 'aborted', false, signal.reason));
        return handle;
      }
      const onAbort = () => this.cancel(t, 'aborted', signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      t.unlisten = () => signal.removeEventListener('abort', onAbort);
    }
    const cap = this.opts.capacity;
    if (this.queue.size >= cap || (whenFull === 'wait' && this.waiting > 0)) {
      if (whenFull === 'reject') {
        this.emit(() => ({
          type: 'pool.full',
          pool: this.name,
          at: this.now(),
          action: 'reject',
          capacity: cap,
          waiting: this.waiting,
        }));
        this.finish(t, 'rejected', new PoolFullError(this.name, cap));
        return handle;
      }
      t.state = WAITING;
      this.waitingLine.push(t);
      this.waiting++;
      this.emit(() => ({
        type: 'pool.full',
        pool: this.name,
        at: this.now(),
        action: 'wait',
        capacity: cap,
        waiting: this.waiting,
      }));
      return handle;
    }
    this.queue.push(t, this.now());
    this.pump();
    return handle;
  }

  /** @internal cancels one task (its signal, its group): it ends as cancelled, whatever state it is in. */
  cancel(t: Task, reason: AbortReason, cause?: unknown): void {
    let started = false;
    switch (t.state) {
      case DONE:
        return;
      case QUEUED:
        this.queue.remove(t);
        break;
      case WAITING:
        this.waiting--;
        break;
      case RETRY_WAIT:
        this.retrying.delete(t);
        break;
      case DISPATCHED: {
        const w = t.worker!;
        started = this.board.started(w.slot, t.k);
        this.board.cancel(w.slot, t.k, abortCode(reason));
        this.running--;
        break;
      }
    }
    this.finish(
      t,
      'cancelled',
      new TaskCancelledError(this.name, t.opts.id, reason as never, started, cause),
    );
    this.pump();
  }

  // ---- dispatch ---------------------------------------------------------------

  private pump(): void {
    if (this.pumping || this.state === DESTROYED) return;
    this.pumping = true;
    try {
      const now = this.now();
      let progress = true;
      while (progress) {
        progress = this.admit(now) > 0;
        while (this.queue.size > 0) {
          const w = this.workers.pick(this.window);
          if (w === null) {
            this.workers.grow();
            break;
          }
          if (this.bucket !== null && !this.bucket.take()) {
            this.armRate();
            break;
          }
          this.dispatch(this.queue.shift(now)!, w, now);
          progress = this.waiting > 0;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Waiting submits into the queue while it has room, in submit order. */
  private admit(now: number): number {
    let n = 0;
    while (this.waiting > 0 && this.queue.size < this.opts.capacity) {
      const t = this.waitingLine.shift()!;
      if (t.state !== WAITING) continue; // cancelled while it waited
      this.waiting--;
      this.queue.push(t, now);
      n++;
    }
    if (n > 0)
      this.emit(() => ({ type: 'pool.room', pool: this.name, at: now, admitted: n, waiting: this.waiting }));
    return n;
  }

  private armRate(): void {
    if (this.rateTimer !== null) return;
    this.rateTimer = this.port.clock.setTimeout(
      () => {
        this.rateTimer = null;
        this.pump();
      },
      Math.max(1, this.bucket!.wait()),
    );
  }

  private dispatch(t: Task, w: WorkerHandle, now: number): void {
    // Dispatch numbers are positive int32 (board words); wrapping after 2^31 dispatches is harmless (board.ts).
    const k = (this.k = this.k >= 0x7fffffff ? 1 : this.k + 1);
    t.state = DISPATCHED;
    t.k = k;
    t.worker = w;
    w.handed.set(k, t);
    this.running++;
    this.waitTimes.add(now - t.queuedAt);
    const o = t.opts;
    const finite = o.timeoutMs !== Number.POSITIVE_INFINITY;
    const msg: RunMsg =
      t.attempt === 0 && o.id === undefined && !finite
        ? { k, i: t.input }
        : { k, i: t.input, a: t.attempt, id: o.id, t: finite ? o.timeoutMs : undefined };
    if (finite) t.timer = this.port.clock.setTimeout(() => this.timedOut(t, k), o.timeoutMs);
    let answer: Promise<RunReply>;
    try {
      answer = w.ref.ask<RunReply>(msg, ASK);
    } catch (e) {
      // Refused as it is sent (an input that cannot cross threads: UnserializableError): that task
      // alone fails, later, as if answered, since pump is on the submitter's stack.
      answer = Promise.reject(e);
    }
    answer.then(
      (r) => this.answered(w, t, k, r),
      (e: unknown) => this.askFailed(w, t, k, e),
    );
  }

  private answered(w: WorkerHandle, t: Task, k: number, r: RunReply): void {
    this.handedBack(w, k);
    const ms = r[1];
    if (ms >= 0) {
      this.runTimes.add(ms);
      this.busyMs += ms;
      this.totalMs += ms;
      this.avgRunMs = Number.isNaN(this.avgRunMs) ? ms : 0.8 * this.avgRunMs + 0.2 * ms;
      this.window = Math.max(1, Math.min(MAX_WINDOW, Math.ceil(AHEAD_MS / Math.max(this.avgRunMs, 1e-3))));
    }
    if (t.k === k && t.state === DISPATCHED) {
      this.running--;
      this.finish(t, 'completed', r[0]);
    }
    this.pump();
  }

  private askFailed(w: WorkerHandle, t: Task, k: number, e: unknown): void {
    // The ask of a worker that is gone (not the task's own ActorStoppedError, which names another actor).
    if (isActorStoppedError(e) && e.context.target.id === w.ref.id) {
      this.workerLost(w, e.context.reason, e);
      return;
    }
    this.handedBack(w, k);
    if (t.k === k && t.state === DISPATCHED) {
      this.running--;
      this.attemptFailed(t, e, 'failed');
    }
    this.pump();
  }

  private handedBack(w: WorkerHandle, k: number): void {
    if (w.handed.delete(k) && w.handed.size === 0) this.workers.idle(w);
  }

  private timedOut(t: Task, k: number): void {
    if (t.k !== k || t.state !== DISPATCHED) return;
    t.timer = null;
    // The worker stays busy until it answers (a synchronous task cannot be interrupted); its signal aborts.
    this.board.cancel(t.worker!.slot, k, abortCode('timeout'));
    this.running--;
    this.attemptFailed(
      t,
      new TaskTimeoutError(this.name, t.opts.id, t.opts.timeoutMs, t.attempt),
      'timedOut',
    );
    this.pump();
  }

  /** A run failed (`failed`) or timed out: retry it if its policy says so, else it ends that way. */
  private attemptFailed(t: Task, e: unknown, outcome: 'failed' | 'timedOut'): void {
    if (t.timer !== null) this.port.clock.clearTimeout(t.timer);
    t.timer = null;
    t.worker = null;
    t.k = 0;
    const r = t.opts.retry;
    if (r !== null && t.attempt < r.attempts && this.state !== DESTROYED && retryable(r, e)) {
      t.attempt++;
      this.counts.retried++;
      const delay = r.delay(t.attempt - 1);
      if (delay <= 0) {
        this.queue.push(t, this.now());
        return;
      }
      t.state = RETRY_WAIT;
      this.retrying.add(t);
      t.timer = this.port.clock.setTimeout(() => {
        t.timer = null;
        if (t.state !== RETRY_WAIT) return;
        this.retrying.delete(t);
        this.queue.push(t, this.now());
        this.pump();
      }, delay);
      return;
    }
    this.finish(t, outcome, e);
    const hook = this.opts.onTaskFailed;
    if (hook !== null)
      try {
        hook(e, { id: t.opts.id, input: t.input, attempts: t.attempt + 1 });
      } catch (x) {
        this.port.warn(`troupe: pool "${this.name}" onTaskFailed threw (ignored): ${String(x)}`);
      }
  }

  /**
   * Protocol step 4: `w` is gone. The task it had started is lost; those it had been handed and
   * not started go back to the head of the queue, in the order they were handed.
   */
  private workerLost(w: WorkerHandle, reason: string, error: unknown): void {
    if (w.lost) return;
    const requeue: Task[] = [];
    let lost = 0;
    for (const [k, t] of w.handed) {
      if (t.k !== k || t.state !== DISPATCHED) continue;
      this.running--;
      if (this.board.started(w.slot, k)) {
        lost++;
        this.attemptFailed(t, new TaskLostError(this.name, t.opts.id, reason, error), 'failed');
      } else {
        if (t.timer !== null) this.port.clock.clearTimeout(t.timer);
        t.timer = null;
        t.worker = null;
        t.k = 0;
        requeue.push(t);
      }
    }
    w.handed.clear();
    for (let i = requeue.length - 1; i >= 0; i--) this.queue.pushFront(requeue[i]!);
    this.account();
    this.workers.lost(w);
    this.emit(() => ({
      type: 'pool.worker-lost',
      pool: this.name,
      at: this.now(),
      reason,
      requeued: requeue.length,
      lost,
    }));
    this.pump();
  }

  /** No worker is left and none starts: the queued tasks would wait forever, so they fail now. */
  private noWorkers(e: unknown): void {
    if (this.workers.count > 0) return;
    const stuck = [...this.queue.tasks()];
    for (const t of this.waitingLine) if (t.state === WAITING) stuck.push(t);
    for (const t of stuck) {
      if (t.state === QUEUED) this.queue.remove(t);
      else this.waiting--;
      this.finish(t, 'failed', new TaskLostError(this.name, t.opts.id, 'no-workers', e));
    }
  }

  // ---- outcomes ---------------------------------------------------------------

  /** The one way a task ends (task.ts): counted once, its promise settled once. */
  private finish(t: Task, outcome: Outcome, value: unknown): void {
    if (t.state === DONE) return;
    t.state = DONE;
    t.outcome = outcome;
    if (t.timer !== null) this.port.clock.clearTimeout(t.timer);
    t.timer = null;
    t.worker = null;
    t.unlisten?.();
    t.unlisten = null;
    this.counts[outcome]++;
    this.pending--;
    if (outcome === 'completed') t.resolve(value);
    else t.reject(value);
    if (this.pending === 0 && this.idleWaiters.length > 0) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const r of ws) r();
    }
  }

  /**
   * Cancels every pending task with `reason`; counts what was not started and what was running.
   * Nothing is handed out meanwhile: each cancel frees room, and a pump would move a waiting
   * submit into the queue behind the snapshot taken here, where it would stay forever.
   */
  private cancelAll(reason: AbortReason): { queued: number; running: number } {
    let queued = 0;
    let running = 0;
    const pumping = this.pumping;
    this.pumping = true;
    try {
      for (const t of [...this.waitingLine]) {
        if (t.state !== WAITING) continue;
        queued++;
        this.cancel(t, reason);
      }
      for (const t of [...this.queue.tasks()]) {
        queued++;
        this.cancel(t, reason);
      }
      for (const t of [...this.retrying]) {
        queued++;
        this.cancel(t, reason);
      }
      for (const w of [...this.workers.list])
        for (const [k, t] of [...w.handed])
          if (t.k === k && t.state === DISPATCHED) {
            running++;
            this.cancel(t, reason);
          }
    } finally {
      this.pumping = pumping;
    }
    return { queued, running };
  }

  private async shutdownWorkers(): Promise<void> {
    if (this.rateTimer !== null) this.port.clock.clearTimeout(this.rateTimer);
    this.rateTimer = null;
    await this.workers.stopAll();
    this.unhook();
    this.release();
  }

  // ---- bookkeeping ------------------------------------------------------------

  /** Worker time for utilization: workers × elapsed since the last account. */
  private account(): void {
    const now = this.port.clock.now();
    this.workerMs += this.workers.count * (now - this.lastAccountAt);
    this.lastAccountAt = now;
  }

  private now(): number {
    return this.port.clock.now();
  }

  private stateName(): 'closing' | 'closed' | 'destroyed' {
    return this.state === OPEN ? 'closing' : (STATE_NAMES[this.state] as 'closing' | 'closed' | 'destroyed');
  }

  private emit(make: () => PoolEvent): void {
    if (this.subject.observed) this.subject.next(make());
  }
}

function retryable(r: TaskRetry, e: unknown): boolean {
  if (r.retryOn === null) return !(isTroupeError(e) && NOT_RETRIED.has(e.code));
  try {
    return r.retryOn(e) === true;
  } catch {
    return false; // a broken predicate must not take the pool down with it
  }
}
