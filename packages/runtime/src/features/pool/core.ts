/**
 * PoolCore: the protocol under the task-pool facade (pool.ts holds its public API).
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
  isActorStoppedError,
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
import { PoolMeter } from './meter.ts';
import {
  type ResolvedPoolOptions,
  type ResolvedTask,
  resolveTaskOptions,
  type TaskOptions,
  taskDefaults,
} from './options.ts';
import { PriorityQueue } from './priority-queue.ts';
import type { PoolCloseReport } from './stats.ts';
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

/** At system shutdown a pool finishes its work for this long, then abandons the rest. */
export const SHUTDOWN_CLOSE_MS = 5000;
/** The worker's answer is the task's end; the ask must never time out first. */
const ASK = Object.freeze({ timeoutMs: MAX_TIMER_MS });

export const OPEN = 0;
export const CLOSING = 1;
export const CLOSED = 2;
export const DESTROYED = 3;
const STATE_NAMES = ['open', 'closing', 'closed', 'destroyed'] as const;

export abstract class PoolCore<I = unknown, R = unknown> {
  readonly name: string;
  protected state = OPEN;
  protected readonly queue: PriorityQueue;
  protected readonly waitingLine = new Deque<Task>();
  protected waiting = 0;
  protected readonly retrying = new Set<Task>();
  protected readonly workers: Workers;
  protected readonly bucket: TokenBucket | null;
  protected rateTimer: TimerHandle | null = null;
  protected readonly defaults: ResolvedTask;
  protected seq = 0;
  protected k = 0;
  protected pumping = false;
  protected running = 0;
  protected pending = 0;
  protected idleWaiters: Array<() => void> = [];
  protected readonly meter: PoolMeter;
  protected closing: Promise<PoolCloseReport> | null = null;
  protected readonly subject = new Subject<PoolEvent>();
  protected readonly unhook: () => void;

  /** @internal `system.pool` builds it (index.ts createPool). */
  constructor(
    protected readonly port: PoolPort,
    readonly id: string,
    protected readonly opts: ResolvedPoolOptions,
    protected readonly board: PoolBoard,
    workerProps: ConstructorParameters<typeof Workers>[1],
    protected readonly release: () => void,
  ) {
    this.name = opts.name;
    const clock = port.clock;
    this.queue = new PriorityQueue(opts.levels, opts.agingMs);
    this.bucket = opts.rate === null ? null : new TokenBucket(opts.rate.perSecond, opts.rate.burst, clock);
    this.defaults = taskDefaults(opts);
    this.meter = new PoolMeter(clock);
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

  /** Graceful stop (pool.ts); system shutdown calls it with `reason: 'shutdown'`. */
  abstract close(
    options?: { readonly timeoutMs?: number },
    reason?: 'closed' | 'shutdown',
  ): Promise<PoolCloseReport>;

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
    this.meter.counts.submitted++;
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

  protected pump(): void {
    if (this.pumping || this.state === DESTROYED) return;
    this.pumping = true;
    try {
      const now = this.now();
      let progress = true;
      while (progress) {
        progress = this.admit(now) > 0;
        while (this.queue.size > 0) {
          const w = this.workers.pick(this.meter.window);
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
  protected admit(now: number): number {
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

  protected armRate(): void {
    if (this.rateTimer !== null) return;
    this.rateTimer = this.port.clock.setTimeout(
      () => {
        this.rateTimer = null;
        this.pump();
      },
      Math.max(1, this.bucket!.wait()),
    );
  }

  protected dispatch(t: Task, w: WorkerHandle, now: number): void {
    // Dispatch numbers are positive int32 (board words); wrapping after 2^31 dispatches is harmless (board.ts).
    const k = (this.k = this.k >= 0x7fffffff ? 1 : this.k + 1);
    t.state = DISPATCHED;
    t.k = k;
    t.worker = w;
    w.handed.set(k, t);
    this.running++;
    this.meter.waitTimes.add(now - t.queuedAt);
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

  protected answered(w: WorkerHandle, t: Task, k: number, r: RunReply): void {
    this.handedBack(w, k);
    const ms = r[1];
    if (ms >= 0) {
      this.meter.ran(ms);
    }
    if (t.k === k && t.state === DISPATCHED) {
      this.running--;
      this.finish(t, 'completed', r[0]);
    }
    this.pump();
  }

  protected askFailed(w: WorkerHandle, t: Task, k: number, e: unknown): void {
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

  protected handedBack(w: WorkerHandle, k: number): void {
    if (w.handed.delete(k) && w.handed.size === 0) this.workers.idle(w);
  }

  protected timedOut(t: Task, k: number): void {
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
  protected attemptFailed(t: Task, e: unknown, outcome: 'failed' | 'timedOut'): void {
    if (t.timer !== null) this.port.clock.clearTimeout(t.timer);
    t.timer = null;
    t.worker = null;
    t.k = 0;
    const r = t.opts.retry;
    if (r !== null && t.attempt < r.attempts && this.state !== DESTROYED && r.allows(e)) {
      t.attempt++;
      this.meter.counts.retried++;
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
  protected workerLost(w: WorkerHandle, reason: string, error: unknown): void {
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
  protected noWorkers(e: unknown): void {
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
  protected finish(t: Task, outcome: Outcome, value: unknown): void {
    if (t.state === DONE) return;
    t.state = DONE;
    t.outcome = outcome;
    if (t.timer !== null) this.port.clock.clearTimeout(t.timer);
    t.timer = null;
    t.worker = null;
    t.unlisten?.();
    t.unlisten = null;
    this.meter.counts[outcome]++;
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
  protected cancelAll(reason: AbortReason): { queued: number; running: number } {
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

  protected async shutdownWorkers(): Promise<void> {
    if (this.rateTimer !== null) this.port.clock.clearTimeout(this.rateTimer);
    this.rateTimer = null;
    await this.workers.stopAll();
    this.unhook();
    this.release();
  }

  // ---- bookkeeping ------------------------------------------------------------

  /** Worker time for utilization, before the number of workers changes. */
  protected account(): void {
    this.meter.account(this.workers.count);
  }

  protected now(): number {
    return this.port.clock.now();
  }

  protected stateName(): 'closing' | 'closed' | 'destroyed' {
    return this.state === OPEN ? 'closing' : (STATE_NAMES[this.state] as 'closing' | 'closed' | 'destroyed');
  }

  protected emit(make: () => PoolEvent): void {
    if (this.subject.observed) this.subject.next(make());
  }
}
