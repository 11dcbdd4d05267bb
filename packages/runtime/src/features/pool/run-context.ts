/**
 * The `TaskContext` a task function receives on its worker's thread. Its
 * AbortSignal is made only when the task reads `signal` (an AbortController
 * per task would cost every small task); once the task has gone async with a
 * signal in hand, the worker watches the pool's board for its abort (board.ts).
 */
import { TaskCancelledError, TaskTimeoutError } from '../../kernel/errors.ts';
import { ABORT_REASONS, type PoolBoard } from './board.ts';
import type { TaskContext } from './options.ts';

export class RunContext implements TaskContext {
  private controller: AbortController | null = null;
  private unwatch: (() => void) | null = null;
  /** The task returned a promise: a signal read from now on is watched at once. */
  private async = false;
  private over = false;

  constructor(
    private readonly board: PoolBoard,
    private readonly slot: number,
    private readonly k: number,
    private readonly poolName: string,
    readonly id: string | undefined,
    readonly attempt: number,
    private readonly timeoutMs: number,
  ) {}

  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      const why = this.board.abortedWith(this.slot, this.k);
      if (why !== 0) this.abort(why);
      else if (this.async) this.watch();
    }
    return this.controller.signal;
  }

  isCancelled(): boolean {
    return this.board.isCancelled(this.k);
  }

  /** The task returned a promise: from now on an abort must reach a signal it holds. */
  wentAsync(): void {
    this.async = true;
    if (this.controller !== null && !this.controller.signal.aborted) this.watch();
  }

  /** The task settled: stop watching. */
  done(): void {
    this.over = true;
    this.unwatch?.();
    this.unwatch = null;
  }

  private watch(): void {
    if (this.over || this.unwatch !== null) return;
    this.unwatch = this.board.watch(this.slot, this.k, (why) => this.abort(why));
  }

  private abort(why: number): void {
    const r = ABORT_REASONS[why - 1] ?? 'aborted';
    this.controller?.abort(
      r === 'timeout'
        ? new TaskTimeoutError(this.poolName, this.id, this.timeoutMs, this.attempt)
        : new TaskCancelledError(this.poolName, this.id, r, true),
    );
  }
}
