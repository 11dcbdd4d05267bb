/**
 * The pool's queue: one FIFO per priority level, high first, with aging.
 *
 * Aging: a task climbs one level for every `agingMs` it has waited (capped at
 * the top level), so a low-priority task waits at most about
 * `(levels - 1) · agingMs` before it competes with the top level, and then by
 * submission order: low priority is never starved forever. Within a level the
 * head has waited longest, so comparing the heads of the levels is enough:
 * `shift` costs O(levels).
 *
 * Removal is lazy: a cancelled task stays in its FIFO, marked (its state is no
 * longer QUEUED), and is dropped when it reaches the head. `size` counts live
 * tasks only, so an errgroup that cancels 100,000 queued tasks costs O(n), not
 * O(n²).
 */
import { Deque } from './deque.ts';
import { QUEUED, type Task } from './task.ts';

export class PriorityQueue {
  private readonly fifo: Deque<Task>[];
  private readonly live: number[];
  size = 0;

  constructor(
    readonly levels: number,
    private readonly agingMs: number,
  ) {
    this.fifo = Array.from({ length: levels }, () => new Deque<Task>());
    this.live = new Array(levels).fill(0);
  }

  push(t: Task, now: number): void {
    t.state = QUEUED;
    t.queuedAt = now;
    this.fifo[t.priority]!.push(t);
    this.live[t.priority]!++;
    this.size++;
  }

  /** Back at the head of its level, keeping its wait (a lost worker's task it had not started). */
  pushFront(t: Task): void {
    t.state = QUEUED;
    this.fifo[t.priority]!.unshift(t);
    this.live[t.priority]!++;
    this.size++;
  }

  /** `t` (queued) leaves without running: it is dropped when it reaches its FIFO's head. */
  remove(t: Task): void {
    this.live[t.priority]!--;
    this.size--;
  }

  /** The task to run next: the highest effective level, the older on a tie. */
  shift(now: number): Task | undefined {
    if (this.size === 0) return undefined;
    let best = -1;
    let bestLevel = -1;
    let bestSeq = 0;
    const top = this.levels - 1;
    for (let l = top; l >= 0; l--) {
      const h = this.head(l);
      if (h === undefined) continue;
      const aged =
        this.agingMs === Number.POSITIVE_INFINITY ? 0 : Math.floor((now - h.queuedAt) / this.agingMs);
      const eff = Math.min(top, l + aged);
      if (eff > bestLevel || (eff === bestLevel && h.seq < bestSeq)) {
        best = l;
        bestLevel = eff;
        bestSeq = h.seq;
      }
      // Nothing below the top level can beat a head already at the top and older than its own.
      if (this.agingMs === Number.POSITIVE_INFINITY) break;
    }
    const t = this.fifo[best]!.shift()!;
    this.live[best]!--;
    this.size--;
    return t;
  }

  /** Live tasks per level, index = priority. */
  byLevel(): number[] {
    return [...this.live];
  }

  /** Live tasks, in no particular order (close and destroy cancel them all). */
  *tasks(): IterableIterator<Task> {
    for (const f of this.fifo) for (const t of f) if (t.state === QUEUED) yield t;
  }

  private head(level: number): Task | undefined {
    if (this.live[level] === 0) return undefined;
    const f = this.fifo[level]!;
    let h = f.peek();
    while (h !== undefined && h.state !== QUEUED) {
      f.shift();
      h = f.peek();
    }
    return h;
  }
}
