/**
 * RunQueue: one thread's run queue and its drain loop, over any unit of work
 * (unit.ts). Ready units run one turn each, round robin; the runtime's actors
 * run here (a turn: at most `throughput` messages), in the main thread and in
 * every executor.
 *
 * Scheduling protocol:
 * 1. The first unit that becomes ready arms a drain as a microtask, so work
 *    made ready by plain code (a tell) runs as soon as that code yields.
 * 2. A drain runs turns until the queue is empty or `yieldMs` have passed
 *    (checked every 64 turns: reading the clock per message would cost more
 *    than a message).
 * 3. A drain that ran out of time continues in `setImmediate`, which lets
 *    timers and I/O run in between: a busy system never starves the event loop.
 */
import { RingQueue } from './ring-queue.ts';
import type { Runnable } from './unit.ts';

export class RunQueue<U extends Runnable> {
  private readonly ready = new RingQueue<U>();
  private armed = false;
  /** Turns run since creation (metrics: tasks the executor completed). */
  turns = 0;
  /** Time spent inside finished drains, ms (metrics: utilization); `busyNow()` adds the running one. */
  busyMs = 0;
  /** When the running drain began (performance.now()), or NaN between drains. */
  private drainAt = Number.NaN;

  /** Busy time so far, the running drain included: a drain lasts up to `yieldMs`. */
  busyNow(): number {
    return Number.isNaN(this.drainAt) ? this.busyMs : this.busyMs + (performance.now() - this.drainAt);
  }
  /**
   * Executors only: called before each turn (queue depth, watchdog heartbeat
   * and running record) and with null when a drain runs out of work. Null
   * in-thread. Set by the executor loop (executor-loop.ts), as are the hooks
   * below: one null check per turn each when unset.
   */
  probe: ((unit: U | null) => void) | null = null;

  /**
   * Turns between clock reads, minus one (a power of two minus one). 63 in
   * the main thread; executors read the clock every turn (0) so a steal or
   * migration request waits at most one turn plus `yieldMs`, not 64 turns.
   */
  checkMask = 63;

  /**
   * Executors only: true when another thread rang for this one (a steal
   * request or a migration step waits in its port) and the ring is not yet
   * answered: the drain yields at its next check instead of running out its
   * `yieldMs`, and a long turn ends early (the runtime's cell checks every 16
   * messages).
   */
  urgent: (() => boolean) | null = null;
  /** Called as the drain yields to answer a ring (the port's frames run next). */
  heard: (() => void) | null = null;
  /** Set by a unit that ended its turn early because `urgent` said so. */
  preempt = false;
  /**
   * Executors only: the duration of a turn, reported while turns are slow
   * enough to read the clock after each (stealing weighs a unit's pending
   * work by its kind's cost per item).
   */
  timed: ((unit: U, ms: number) => void) | null = null;
  /**
   * Executors only: called at each clock check of a drain, between turns,
   * with the time since it began: a long drain reads its port and posts its
   * batches here, which it would otherwise do only once it ends.
   */
  midDrain: ((elapsed: number, now: number) => void) | null = null;

  constructor(private readonly yieldMs: number) {}

  /**
   * Entries of units taken off the queue without running (migrated away,
   * `unqueue`): they stay in the ring, marked by `queued = false`, and the
   * drain skips them.
   */
  private stale = 0;

  get depth(): number {
    return this.ready.length - this.stale;
  }

  schedule(unit: U): void {
    unit.queued = true; // the drain runs entries whose unit is still queued (see unqueue)
    this.ready.push(unit);
    if (!this.armed) {
      this.armed = true;
      queueMicrotask(this.drain);
    }
  }

  /**
   * Takes a unit off the queue in O(1) (migration): a steal of k actors out
   * of n used to search the ring once per actor, O(k·n), and froze an
   * executor holding 40,000 ready actors for seconds.
   */
  unqueue(unit: U): void {
    if (!unit.queued) return;
    unit.queued = false;
    this.stale++;
  }

  /**
   * Up to `want` distinct ready units that pass `pred`, newest first (the
   * last to run: what a thief takes), among the `limit` newest entries. The
   * bound keeps a steal request O(limit): a full scan of a 100,000-actor
   * queue (Fibonacci) per request made the victim 3x slower.
   */
  newestReady(pred: (unit: U) => boolean, want: number, limit: number): U[] {
    // A unit unqueued and scheduled again has a stale entry too: keep its first sighting only.
    const seen = new Set<U>();
    return this.ready.lastMatching(
      (c) => c.queued && !seen.has(c) && seen.add(c) !== undefined && pred(c),
      want,
      limit,
    );
  }

  private readonly drain = (): void => {
    const ready = this.ready;
    const start = performance.now();
    this.drainAt = start;
    let last = start;
    let k = 0;
    let mask = this.checkMask;
    let unit: U | undefined;
    try {
      while ((unit = ready.shift()) !== undefined) {
        if (!unit.queued) {
          this.stale--; // unqueued (or already run from a later entry): nothing to do
          continue;
        }
        unit.queued = false;
        if (this.probe !== null) this.probe(unit);
        unit.run();
        k++;
        if (this.preempt || (k & mask) === 0) {
          const now = performance.now();
          if (mask === 0 && this.timed !== null) this.timed(unit, now - last);
          last = now;
          const elapsed = now - start;
          if (this.midDrain !== null) this.midDrain(elapsed, now);
          if (this.preempt || elapsed > this.yieldMs || this.urgent?.() === true) {
            this.preempt = false;
            this.heard?.();
            setImmediate(this.drain);
            return;
          }
          // While turns average under 2 µs, a clock read per turn would cost as much as the
          // turn itself; 64 such turns still bound the wait for a steal request to ~0.1 ms.
          mask = elapsed < k * 0.002 ? 63 : this.checkMask;
        }
      }
      this.armed = false;
      if (this.probe !== null) this.probe(null);
    } catch (e) {
      // A runtime bug escaped a turn; keep the other units running and surface it.
      this.armed = false;
      if (ready.length > 0) {
        this.armed = true;
        setImmediate(this.drain);
      }
      queueMicrotask(() => {
        throw e;
      });
    } finally {
      this.turns += k;
      this.busyMs += performance.now() - start;
      this.drainAt = Number.NaN;
    }
  };
}
