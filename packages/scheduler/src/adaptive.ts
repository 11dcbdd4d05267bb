/**
 * Adaptive pool policy: when to add an executor and which one may retire.
 * Pure (reads the board, keeps its own timestamps); the runtime acts on the
 * decisions.
 *
 * Rules:
 * 1. Grow by one when every running executor has had a run queue of at least
 *    `threshold` actors for `sustainMs` (no executor is idle enough to steal
 *    the backlog away) and the pool is below `max`.
 * 2. An executor is idle from the last sample where its queue was non-empty
 *    or its completed-turns counter moved. One idle for `idleTimeoutMs`, in a
 *    pool above `min`, that is no live actor's birth node (the directory of
 *    those actors lives there), is a retirement candidate (the most idle
 *    first, one at a time). The runtime migrates its actors off first.
 * 3. After a grow or a retirement nothing changes for `sustainMs`, so one
 *    burst does not start several executors at once.
 */
import { type Board, SLOT } from './board.ts';

export interface AdaptiveConfig {
  readonly min: number;
  readonly max: number;
  readonly idleTimeoutMs: number;
  readonly sustainMs: number;
  readonly threshold: number;
}

export type PoolDecision = { readonly grow: true } | { readonly retire: number } | null;

export class PoolPolicy {
  private backlogSince = -1;
  private quietUntil = 0;
  private readonly lastActive = new Map<number, number>();
  private readonly lastTurns = new Map<number, number>();

  constructor(
    private readonly board: Board,
    private readonly config: AdaptiveConfig,
  ) {}

  sample(now: number): PoolDecision {
    const b = this.board;
    const nodes = b.executors();
    let allBacklogged = nodes.length > 0;
    for (const n of nodes) {
      const depth = b.get(n, SLOT.queueDepth);
      const turns = b.get(n, SLOT.tasksCompleted);
      if (depth > 0 || turns !== this.lastTurns.get(n) || !this.lastActive.has(n))
        this.lastActive.set(n, now);
      this.lastTurns.set(n, turns);
      if (depth < this.config.threshold) allBacklogged = false;
    }
    for (const n of [...this.lastActive.keys()]) if (!nodes.includes(n)) this.forget(n);
    if (!allBacklogged) this.backlogSince = -1;
    else if (this.backlogSince < 0) this.backlogSince = now;
    if (now < this.quietUntil) return null;
    const c = this.config;
    if (allBacklogged && nodes.length < c.max && now - this.backlogSince >= c.sustainMs) {
      this.quietUntil = now + c.sustainMs;
      this.backlogSince = -1;
      return { grow: true };
    }
    if (nodes.length > c.min) {
      let idlest = -1;
      let since = Infinity;
      for (const n of nodes) {
        const t = this.lastActive.get(n)!;
        if (b.get(n, SLOT.directory) > 0) continue; // directory of live actors: stays
        if (now - t >= c.idleTimeoutMs && t < since) {
          idlest = n;
          since = t;
        }
      }
      if (idlest >= 0) {
        this.quietUntil = now + c.sustainMs;
        this.lastActive.set(idlest, now); // not again before another idle timeout
        return { retire: idlest };
      }
    }
    return null;
  }

  private forget(n: number): void {
    this.lastActive.delete(n);
    this.lastTurns.delete(n);
  }
}
