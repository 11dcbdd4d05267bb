/**
 * Time goes through an injected clock: ask timeouts, `ctx.schedule`,
 * supervision backoff and watchdogs all read `now()` and arm timers here, so a
 * test can drive them with `SimulatedClock` instead of sleeping.
 */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Wall-clock time. Timers are unref'd: the runtime's own timers (stall checks, shutdown waits)
 * never hold the process; timers that are pending work (asks, schedules, restarts) hold it
 * through the host's keep-alive clock instead (lifetime.ts), whichever clock is injected.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  },
};

interface SimTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Virtual time. Nothing fires until `advance(ms)` (or `runAll()`); timers fire
 * in deadline order, ties in arming order. Timers armed while advancing fire in
 * the same call if they fall inside the window, like real time would.
 */
export class SimulatedClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: SimTimer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: SimTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return t as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    (handle as unknown as SimTimer).cancelled = true;
  }

  /** Number of armed, uncancelled timers. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.time = next.at;
      next.cancelled = true;
      next.fn();
    }
    this.time = end;
    this.timers = this.timers.filter((t) => !t.cancelled);
  }

  /** Advances to the next armed timer and fires it; returns false when none is armed. */
  step(): boolean {
    const next = this.nextDue(Number.POSITIVE_INFINITY);
    if (!next) return false;
    this.advance(next.at - this.time);
    return true;
  }

  private nextDue(end: number): SimTimer | undefined {
    let best: SimTimer | undefined;
    for (const t of this.timers) {
      if (t.cancelled || t.at > end) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
