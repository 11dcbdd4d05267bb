/**
 * TaskGroup: Go's errgroup over a pool. `go(input)` submits (or, past the
 * group's `concurrency`, holds the input until a task of the group ends);
 * `wait()` resolves with every result in `go` order, or — after the first
 * failure — cancels the rest (queued tasks never run, running ones see their
 * signal abort; each ends cancelled with `reason: 'group'` and the first error
 * as its cause) and rejects with that first error once every task has ended.
 *
 * `pool.submitAll(inputs, options)` is a group that runs them all.
 */
import { ConfigError, TaskCancelledError } from '../../kernel/errors.ts';
import { checkKeys, checkObject, checkRange } from '../../kernel/validate.ts';
import type { TaskOptions } from './options.ts';
import type { Task } from './task.ts';

export interface GroupOptions {
  /** Most tasks of the group submitted at once (default: no limit). */
  readonly concurrency?: number;
  /** Aborting it cancels the whole group (`reason: 'aborted'`). */
  readonly signal?: AbortSignal;
}

/** What a group needs of its pool. */
export interface GroupPool<I, R> {
  readonly name: string;
  enqueue(
    input: I,
    options: TaskOptions | undefined,
    whenFull: 'reject' | 'wait',
  ): { task: Task; promise: Promise<R> };
  cancel(t: Task, reason: 'aborted' | 'group', cause?: unknown): void;
}

export class TaskGroup<I, R> {
  private readonly results: R[] = [];
  private readonly live = new Set<Task>();
  private readonly held: Array<() => void> = [];
  private readonly limit: number;
  private active = 0;
  private ended = 0;
  private count = 0;
  private failed = false;
  private firstError: unknown;
  private waiters: Array<() => void> = [];
  private readonly unlisten: (() => void) | null = null;

  constructor(
    private readonly pool: GroupPool<I, R>,
    options: GroupOptions = {},
    path = 'pool.group(options)',
  ) {
    checkObject(options, path, '{ concurrency?, signal? }');
    checkKeys(options, ['concurrency', 'signal'], path);
    this.limit =
      options.concurrency === undefined
        ? Number.POSITIVE_INFINITY
        : checkRange(options.concurrency, `${path}.concurrency`, { min: 1, max: 2 ** 31 - 1, integer: true });
    const s = options.signal;
    if (s !== undefined) {
      if (!(s instanceof AbortSignal)) throw new ConfigError(`${path}.signal`, 'an AbortSignal', s);
      const onAbort = () => this.fail(s.reason, 'aborted');
      if (s.aborted) queueMicrotask(onAbort);
      else {
        s.addEventListener('abort', onAbort, { once: true });
        this.unlisten = () => s.removeEventListener('abort', onAbort);
      }
    }
  }

  /** Adds a task to the group. Its outcome is reported by `wait()`, never here. */
  go(input: I, options?: TaskOptions): void {
    const i = this.count++;
    if (this.failed) {
      this.ended++;
      return;
    }
    const start = () => {
      if (this.failed) {
        this.end();
        return;
      }
      this.active++;
      // Waits for room rather than failing the whole group on a full queue.
      const { task, promise } = this.pool.enqueue(input, options, 'wait');
      this.live.add(task);
      promise.then(
        (v) => {
          this.results[i] = v;
          this.done(task);
        },
        (e: unknown) => {
          this.done(task);
          this.fail(e, 'group');
        },
      );
    };
    if (this.active < this.limit) start();
    else this.held.push(start);
  }

  /** Every result in `go` order; or the first failure, once every task of the group has ended. */
  wait(): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      const settle = () => {
        this.unlisten?.();
        if (this.failed) reject(this.firstError);
        else resolve(this.results);
      };
      if (this.ended === this.count) settle();
      else this.waiters.push(settle);
    });
  }

  private done(t: Task): void {
    this.live.delete(t);
    this.active--;
    this.held.shift()?.();
    this.end();
  }

  private end(): void {
    this.ended++;
    if (this.ended === this.count) {
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w();
    }
  }

  private fail(e: unknown, reason: 'aborted' | 'group'): void {
    if (this.failed) return;
    this.failed = true;
    this.firstError =
      reason === 'aborted' ? new TaskCancelledError(this.pool.name, undefined, 'aborted', false, e) : e;
    for (const t of [...this.live]) this.pool.cancel(t, reason, e);
    const held = this.held.splice(0);
    for (const start of held) start(); // each sees `failed` and ends without submitting
  }
}
