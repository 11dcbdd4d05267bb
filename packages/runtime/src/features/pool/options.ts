/**
 * A pool's options and a task's options, validated eagerly: every bad field
 * is a ConfigError whose path names it (`pool(options).queue.capacity`), an
 * unknown key names the closest valid one. Defaults follow the seeds where
 * they fit (the Go worker package's queue, the Rust pool's idle timeout).
 */
import { type Backoff, type BackoffOptions, backoffDelay, resolveBackoff } from '../../kernel/backoff.ts';
import { ConfigError, isTroupeError } from '../../kernel/errors.ts';
import { checkKeys, checkObject, checkRange, MAX_TIMER_MS, type Range } from '../../kernel/validate.ts';

/** What a task function receives besides its input. */
export interface TaskContext {
  /**
   * Aborted when the task is cancelled (its submit's signal, its group, the pool closing) or
   * times out, with the TaskCancelledError / TaskTimeoutError as its reason. An async task
   * hears it while it awaits; a synchronous one can poll `isCancelled()`.
   */
  readonly signal: AbortSignal;
  /** The `id` given to submit, if any. */
  readonly id: string | undefined;
  /** 0 for the first run, then 1, 2, … for retries. */
  readonly attempt: number;
  /** True once the task is cancelled or timed out: a long synchronous loop may poll it (one shared-memory read). */
  isCancelled(): boolean;
}

export type TaskFunction<I = any, R = any> = (input: I, ctx: TaskContext) => R | Promise<R>;

/** A task module and which of its exports is the task function (default: `default`). */
export interface TaskModule {
  readonly module: URL | string;
  readonly export?: string;
}

/** What `system.pool` runs: a module URL (its default export), a `{ module, export }`, or a function (in-thread only). */
export type TaskSource<I = any, R = any> = URL | string | TaskModule | TaskFunction<I, R>;

export interface TaskRetryOptions {
  /** Retries after the first failure (the seed's `WithRetry(3, …)`: up to 4 runs). */
  readonly attempts: number;
  /** Delay before each retry: fixed ms, or exponential backoff. Default 0. */
  readonly backoff?: number | BackoffOptions;
  /**
   * Which failures are retried. Default: errors the task threw or rejected with; not timeouts,
   * lost workers (a task that hung an executor would hang the next) nor unserializable values.
   */
  readonly retryOn?: (error: unknown) => boolean;
}

export type WhenFull = 'reject' | 'wait';

export interface PoolOptions {
  /** Shown in errors and stats (default `pool-<n>`). */
  readonly name?: string;
  /** Workers kept even when idle. Default: `max`. */
  readonly min?: number;
  /** Most workers. Default: one per executor (1 in-thread). */
  readonly max?: number;
  /** A worker above `min` idle this long is retired, ms. Default 60 000 (the seed's idle_timeout). */
  readonly idleTimeoutMs?: number;
  /** The pool's queue (tasks not yet handed to a worker). */
  readonly queue?: {
    /** Most queued tasks; default unbounded. */
    readonly capacity?: number;
    /** A full queue rejects submit with PoolFullError (`reject`, default) or makes it wait for room (`wait`). */
    readonly whenFull?: WhenFull;
  };
  /** Priority levels: 0 is the lowest, `levels - 1` the highest; high first, FIFO within a level. */
  readonly priorities?: {
    /** Default 3. */
    readonly levels?: number;
    /** A queued task climbs one level per `agingMs` waited, so low priority is never starved. Default 1000; false: no aging. */
    readonly agingMs?: number | false;
  };
  /** Default timeout of a task, ms (from the moment a worker is handed it). Default: none. */
  readonly timeoutMs?: number;
  /** Default retry policy of a task. Default: none. */
  readonly retry?: TaskRetryOptions;
  /** Most task starts per second, with a burst (token bucket on the system's clock). */
  readonly rateLimit?: { readonly perSecond: number; readonly burst?: number };
  /** Called once per task that ends failed or timed out (after its retries), with the error. */
  readonly onTaskFailed?: (error: unknown, task: FailedTaskInfo) => void;
}

export interface FailedTaskInfo {
  readonly id: string | undefined;
  readonly input: unknown;
  /** Runs the task had (1 + retries). */
  readonly attempts: number;
}

export interface TaskOptions {
  /** 0 (lowest, default) to `priorities.levels - 1`. */
  readonly priority?: number;
  /** Overrides the pool's `timeoutMs` for this task. */
  readonly timeoutMs?: number;
  /** Overrides the pool's retry policy (`false`: no retry). */
  readonly retry?: TaskRetryOptions | false;
  /** Aborting it cancels the task: removed from the queue, or its running run's signal aborted. */
  readonly signal?: AbortSignal;
  /** Named in errors and given to the task function as `ctx.id`. */
  readonly id?: string;
}

/** Errors the pool itself makes are not retried unless `retryOn` says so: a hung task would hang again. */
const NOT_RETRIED = new Set(['task-timeout', 'task-lost', 'task-cancelled', 'unserializable', 'pool-closed']);

export class TaskRetry {
  constructor(
    readonly attempts: number,
    private readonly fixedMs: number,
    private readonly backoff: Backoff | null,
    readonly retryOn: ((error: unknown) => boolean) | null,
  ) {}

  /** Whether a run that failed with `e` is retried (a broken `retryOn` says no). */
  allows(e: unknown): boolean {
    if (this.retryOn === null) return !(isTroupeError(e) && NOT_RETRIED.has(e.code));
    try {
      return this.retryOn(e) === true;
    } catch {
      return false; // a broken predicate must not take the pool down with it
    }
  }

  /** Delay before retry number `attempt + 1` (attempt 0 = the first run). */
  delay(attempt: number): number {
    return this.backoff === null ? this.fixedMs : backoffDelay(this.backoff, attempt);
  }
}

export interface ResolvedPoolOptions {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly idleTimeoutMs: number;
  readonly capacity: number;
  readonly whenFull: WhenFull;
  readonly levels: number;
  readonly agingMs: number;
  readonly timeoutMs: number;
  readonly retry: TaskRetry | null;
  readonly rate: { readonly perSecond: number; readonly burst: number } | null;
  readonly onTaskFailed: ((error: unknown, task: FailedTaskInfo) => void) | null;
}

/** Workers one pool may have: its board has a shared-memory row each (board.ts). */
export const MAX_WORKERS = 1024;
export const MAX_LEVELS = 16;

const TIME: Range = { min: 0, max: MAX_TIMER_MS, minExclusive: true };
const POOL_KEYS = [
  'name',
  'min',
  'max',
  'idleTimeoutMs',
  'queue',
  'priorities',
  'timeoutMs',
  'retry',
  'rateLimit',
  'onTaskFailed',
];
const TASK_KEYS = ['priority', 'timeoutMs', 'retry', 'signal', 'id'];

let poolSeq = 0;

export function resolvePoolOptions(
  v: unknown,
  defaultMax: number,
  path = 'pool(options)',
): ResolvedPoolOptions {
  const raw: unknown = v ?? {};
  checkObject(raw, path, '{ min?, max?, queue?, priorities?, timeoutMs?, retry?, rateLimit?, … }');
  checkKeys(raw, POOL_KEYS, path);
  const o = raw as PoolOptions;
  const name = o.name ?? `pool-${++poolSeq}`;
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError(`${path}.name`, 'a non-empty string', o.name);
  const count: Range = { min: 1, max: MAX_WORKERS, integer: true };
  const max = checkRange(o.max ?? Math.max(o.min ?? 1, defaultMax), `${path}.max`, count);
  const min = checkRange(o.min ?? max, `${path}.min`, { ...count, max }, 'not above max');
  const idleTimeoutMs = checkRange(o.idleTimeoutMs ?? 60_000, `${path}.idleTimeoutMs`, TIME);
  let capacity = Number.POSITIVE_INFINITY;
  let whenFull: WhenFull = 'reject';
  if (o.queue !== undefined) {
    const q: unknown = o.queue;
    checkObject(q, `${path}.queue`, "{ capacity?, whenFull?: 'reject' | 'wait' }");
    checkKeys(q, ['capacity', 'whenFull'], `${path}.queue`);
    const c = q.capacity ?? capacity;
    if (!(c === Number.POSITIVE_INFINITY || (Number.isInteger(c) && (c as number) > 0)))
      throw new ConfigError(`${path}.queue.capacity`, 'a positive integer or Infinity', q.capacity);
    capacity = c as number;
    const wf = q.whenFull ?? whenFull;
    if (wf !== 'reject' && wf !== 'wait')
      throw new ConfigError(`${path}.queue.whenFull`, '"reject" | "wait"', q.whenFull);
    whenFull = wf;
  }
  let levels = 3;
  let agingMs = 1000;
  if (o.priorities !== undefined) {
    const p: unknown = o.priorities;
    checkObject(p, `${path}.priorities`, '{ levels?, agingMs? }');
    checkKeys(p, ['levels', 'agingMs'], `${path}.priorities`);
    levels = checkRange(p.levels ?? levels, `${path}.priorities.levels`, {
      min: 1,
      max: MAX_LEVELS,
      integer: true,
    });
    const a = p.agingMs ?? agingMs;
    agingMs =
      a === false ? Number.POSITIVE_INFINITY : checkRange(a, `${path}.priorities.agingMs`, TIME, 'or false');
  }
  const timeoutMs =
    o.timeoutMs === undefined ? Number.POSITIVE_INFINITY : checkRange(o.timeoutMs, `${path}.timeoutMs`, TIME);
  const retry = o.retry === undefined ? null : resolveTaskRetry(o.retry, `${path}.retry`);
  let rate: ResolvedPoolOptions['rate'] = null;
  if (o.rateLimit !== undefined) {
    const r: unknown = o.rateLimit;
    checkObject(r, `${path}.rateLimit`, '{ perSecond, burst? }');
    checkKeys(r, ['perSecond', 'burst'], `${path}.rateLimit`);
    const perSecond = checkRange(r.perSecond, `${path}.rateLimit.perSecond`, {
      min: 0,
      max: 1e9,
      minExclusive: true,
    });
    const burst = checkRange(r.burst ?? 1, `${path}.rateLimit.burst`, {
      min: 1,
      max: 1e9,
      integer: true,
    });
    rate = { perSecond, burst };
  }
  if (o.onTaskFailed !== undefined && typeof o.onTaskFailed !== 'function')
    throw new ConfigError(`${path}.onTaskFailed`, 'a function (error, task) => void', o.onTaskFailed);
  return Object.freeze({
    name,
    min,
    max,
    idleTimeoutMs,
    capacity,
    whenFull,
    levels,
    agingMs,
    timeoutMs,
    retry,
    rate,
    onTaskFailed: (o.onTaskFailed as ResolvedPoolOptions['onTaskFailed']) ?? null,
  });
}

export function resolveTaskRetry(v: unknown, path: string): TaskRetry {
  checkObject(v, path, '{ attempts, backoff?, retryOn? }');
  checkKeys(v, ['attempts', 'backoff', 'retryOn'], path);
  const o = v as unknown as TaskRetryOptions;
  checkRange(o.attempts, `${path}.attempts`, { min: 0, max: 1e6, integer: true });
  let fixedMs = 0;
  let backoff: Backoff | null = null;
  if (typeof o.backoff === 'number')
    fixedMs = checkRange(o.backoff, `${path}.backoff`, { min: 0, max: MAX_TIMER_MS });
  else if (o.backoff !== undefined) backoff = resolveBackoff(o.backoff, `${path}.backoff`);
  if (o.retryOn !== undefined && typeof o.retryOn !== 'function')
    throw new ConfigError(`${path}.retryOn`, 'a function (error) => boolean', o.retryOn);
  return new TaskRetry(o.attempts, fixedMs, backoff, o.retryOn ?? null);
}

/** A task's own options over the pool's, resolved once at submit. */
export interface ResolvedTask {
  readonly priority: number;
  readonly timeoutMs: number;
  readonly retry: TaskRetry | null;
  readonly signal: AbortSignal | undefined;
  readonly id: string | undefined;
}

/** The options of a task submitted without any: one frozen record per pool, so 100,000 small submits allocate none. */
export function taskDefaults(pool: ResolvedPoolOptions): ResolvedTask {
  return Object.freeze({
    priority: 0,
    timeoutMs: pool.timeoutMs,
    retry: pool.retry,
    signal: undefined,
    id: undefined,
  });
}

export function resolveTaskOptions(
  options: TaskOptions,
  pool: ResolvedPoolOptions,
  path = 'submit(options)',
): ResolvedTask {
  const raw: unknown = options;
  checkObject(raw, path, '{ priority?, timeoutMs?, retry?, signal?, id? }');
  checkKeys(raw, TASK_KEYS, path);
  const v = raw as TaskOptions;
  const priority =
    v.priority === undefined
      ? 0
      : checkRange(v.priority, `${path}.priority`, { min: 0, max: pool.levels - 1, integer: true });
  const timeoutMs =
    v.timeoutMs === undefined ? pool.timeoutMs : checkRange(v.timeoutMs, `${path}.timeoutMs`, TIME);
  const retry =
    v.retry === undefined
      ? pool.retry
      : v.retry === false
        ? null
        : resolveTaskRetry(v.retry, `${path}.retry`);
  const signal = v.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new ConfigError(`${path}.signal`, 'an AbortSignal', signal);
  if (v.id !== undefined && typeof v.id !== 'string') throw new ConfigError(`${path}.id`, 'a string', v.id);
  return { priority, timeoutMs, retry, signal, id: v.id };
}

/** `pool.resize(n)`: `n` workers exactly, or new `{ min?, max? }` bounds over the current ones. */
export function resolveResize(
  n: unknown,
  currentMin: number,
  currentMax: number,
): { readonly min: number; readonly max: number } {
  const path = 'pool.resize(n)';
  const count: Range = { min: 1, max: MAX_WORKERS, integer: true };
  if (typeof n === 'number') {
    const v = checkRange(n, path, count);
    return { min: v, max: v };
  }
  checkObject(n, path, 'a number or { min?, max? }');
  checkKeys(n, ['min', 'max'], path);
  const o = n as { min?: number; max?: number };
  const max = checkRange(o.max ?? currentMax, `${path}.max`, count);
  const min = checkRange(
    o.min ?? Math.min(currentMin, max),
    `${path}.min`,
    { ...count, max },
    'not above max',
  );
  return { min, max };
}

/** `pool.close(options)`: its `timeoutMs` (default: no limit). */
export function resolveCloseTimeout(options: unknown): number {
  const path = 'pool.close(options)';
  checkObject(options, path, '{ timeoutMs? }');
  checkKeys(options, ['timeoutMs'], path);
  const t = (options as { timeoutMs?: number }).timeoutMs;
  if (t === undefined || t === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  return checkRange(t, `${path}.timeoutMs`, { min: 0, max: MAX_TIMER_MS }, 'or Infinity');
}
