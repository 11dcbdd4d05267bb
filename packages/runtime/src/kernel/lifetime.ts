/**
 * Lifetime: what keeps the process alive. Node exits when nothing ref'd is
 * left in its event loop, and every timer of the clock is unref'd (a watchdog
 * or stall check must never hold a process open). Pending work holds it
 * instead, counted here:
 *
 * - an ask awaiting its reply (until it settles or times out),
 * - a `ctx.schedule` timer, a message retry's delay, a supervisor's restart
 *   waiting out its backoff and its kill timer past `shutdownMs` (timers
 *   armed through `keepAlive(clock)`),
 * - a handler or hook whose promise is pending,
 * - a request from the main thread to an executor (spawn, stop, migrate, …).
 *
 * An idle system holds nothing, so a script that is done exits by itself,
 * without `shutdown()`. Queued messages need no hold in one thread: the
 * dispatcher's microtask and `setImmediate` hold the loop while they run.
 * With executors, each executor publishes its count instead of holding a
 * handle (scheduler `activity.ts`), and the main thread's `ProcessLifetime`
 * (scheduler lifetime.ts) holds the process while any of them has work.
 *
 * Cost: a counter; a change of the process's hold only at 0↔1 transitions.
 */
import type { Clock, TimerHandle } from './clock.ts';

export class Lifetime {
  private count = 0;

  /** `onChange(true)` when the first hold is taken, `onChange(false)` when the last one is released. */
  constructor(private onChange: (holding: boolean) => void = holdProcess) {}

  /** Pending things right now. */
  get holds(): number {
    return this.count;
  }

  hold(): void {
    if (this.count++ === 0) this.onChange(true);
  }

  release(): void {
    if (--this.count === 0) this.onChange(false);
  }

  /** Also runs `also` at each 0↔1 transition (the main thread of a threaded system polls its executors). */
  observe(also: (holding: boolean) => void): void {
    const first = this.onChange;
    this.onChange = (holding) => {
      first(holding);
      also(holding);
    };
  }

  /** A clock whose timers hold the process from the moment they are armed until they fire or are cleared. */
  keepAlive(clock: Clock): Clock {
    return new KeepAliveClock(clock, this);
  }
}

/** Systems of this process whose Lifetime holds something. */
let holders = 0;
let handle: ReturnType<typeof setInterval> | null = null;

/**
 * The default transition: one ref'd timer handle for the whole process, ref'd while any
 * system holds something. One handle, created once: ref/unref is a counter in Node, cheaper
 * than a timer per transition, and a system that is never shut down leaves nothing behind.
 */
export function holdProcess(holding: boolean): void {
  if (holding) {
    if (holders++ === 0) (handle ??= setInterval(() => {}, 2 ** 30)).ref();
  } else if (--holders === 0) handle?.unref();
}

interface KeptTimer {
  inner: TimerHandle | undefined;
  live: boolean;
}

class KeepAliveClock implements Clock {
  constructor(
    private readonly inner: Clock,
    private readonly life: Lifetime,
  ) {}

  now(): number {
    return this.inner.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: KeptTimer = { inner: undefined, live: true };
    this.life.hold();
    t.inner = this.inner.setTimeout(() => {
      if (!t.live) return;
      t.live = false;
      // Released before it runs: an executor marks itself active on a release (activity.ts step 1).
      this.life.release();
      fn();
    }, ms);
    return t as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const t = handle as unknown as KeptTimer;
    if (!t.live) return;
    t.live = false;
    this.life.release();
    if (t.inner !== undefined) this.inner.clearTimeout(t.inner);
  }
}
