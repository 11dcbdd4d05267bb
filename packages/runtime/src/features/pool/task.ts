/**
 * One submitted task, from submit to its one outcome. A task is in exactly
 * one state at a time; `Pool.finish` is the only way to DONE and runs once,
 * which is what makes every task end as exactly one of completed, failed,
 * timed out, cancelled or rejected.
 *
 *   WAITING (for room) ─┐
 *                       ├→ QUEUED → DISPATCHED → DONE
 *   RETRY_WAIT ─────────┘      ↑         │
 *                              └─────────┘ (retry after a failure; a lost worker's unstarted task)
 */
import type { TimerHandle } from '../../kernel/clock.ts';
import type { ResolvedTask } from './options.ts';

export const WAITING = 0;
export const QUEUED = 1;
export const DISPATCHED = 2;
export const RETRY_WAIT = 3;
export const DONE = 4;

export type Outcome = 'completed' | 'failed' | 'timedOut' | 'cancelled' | 'rejected';

export class Task<I = unknown, R = unknown> {
  state = QUEUED;
  /** Runs so far (0 before the first). */
  attempt = 0;
  /** Clock time it entered the queue (aging and wait time count from here). */
  queuedAt = 0;
  /** Its current dispatch number (0 while none) and the worker that has it. */
  k = 0;
  worker: { readonly slot: number } | null = null;
  /** Timeout of the current dispatch, or the delay before a retry. */
  timer: TimerHandle | null = null;
  /** Removes the listener from `opts.signal`. */
  unlisten: (() => void) | null = null;
  outcome: Outcome | null = null;

  constructor(
    /** Submission order: FIFO within a level, and the tie-break between levels once aged. */
    readonly seq: number,
    readonly input: I,
    readonly opts: ResolvedTask,
    readonly resolve: (v: R) => void,
    readonly reject: (e: unknown) => void,
  ) {}

  get priority(): number {
    return this.opts.priority;
  }
}
