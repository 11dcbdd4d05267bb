/**
 * Bounded waiting for shutdown: every wait ends when its promise settles, when
 * its time runs out on the injected clock, or when a forced shutdown aborts
 * it — whichever comes first. Nothing here sleeps on the wall clock, so a test
 * drives every deadline with `SimulatedClock`.
 *
 * Invariant: a wait never rejects; the outcome says which of the three ended it,
 * and the clock timer it armed is cleared on every path (no timer outlives a wait).
 */
import type { Clock } from '../../kernel/clock.ts';

export type WaitOutcome<T> =
  | { readonly kind: 'done'; readonly value: T }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' };

/** A one-shot latch: `fire()` once, every `promise` listener runs. Used for the force request. */
export class Latch {
  fired = false;
  private release!: () => void;
  readonly promise = new Promise<void>((r) => (this.release = r));

  fire(): void {
    if (this.fired) return;
    this.fired = true;
    this.release();
  }
}

const TIMED_OUT = { kind: 'timeout' } as const;
const ABORTED = { kind: 'aborted' } as const;

/**
 * Waits for `p` at most `ms` clock milliseconds. After a force, only a promise
 * that has already settled still wins: its callback is queued before the abort's.
 */
export function within<T>(p: Promise<T>, ms: number, clock: Clock, abort: Latch): Promise<WaitOutcome<T>> {
  return new Promise<WaitOutcome<T>>((resolve) => {
    let settled = false;
    const finish = (o: WaitOutcome<T>): void => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      resolve(o);
    };
    const timer = clock.setTimeout(() => finish(TIMED_OUT), Math.max(0, ms));
    p.then(
      (value) => finish({ kind: 'done', value }),
      (error) => finish({ kind: 'failed', error }),
    );
    abort.promise.then(() => finish(ABORTED));
  });
}

/** Waits for `p`, which bounds itself (an executor request), or for a force: no timer of its own. */
export function unlessAborted<T>(p: Promise<T>, abort: Latch): Promise<WaitOutcome<T>> {
  return new Promise<WaitOutcome<T>>((resolve) => {
    p.then(
      (value) => resolve({ kind: 'done', value }),
      (error) => resolve({ kind: 'failed', error }),
    );
    abort.promise.then(() => resolve(ABORTED));
  });
}

/**
 * Waits until `ready()` holds, re-checking after each macrotask. Quiescence has
 * no event to wait on (it is the absence of work across every mailbox and
 * handler), so this polls: `setImmediate` while work is flowing, then backs off
 * to short real timers so a drain that waits on slow I/O does not spin a core.
 * The polls only decide *when to look again*; the deadline is the clock's.
 */
export function until(
  ready: () => boolean,
  ms: number,
  clock: Clock,
  abort: Latch,
): Promise<WaitOutcome<void>> {
  if (ready()) return Promise.resolve({ kind: 'done', value: undefined });
  let stop = false;
  const polled = new Promise<void>((resolve) => {
    let spins = 0;
    const check = (): void => {
      if (stop) return;
      if (ready()) {
        resolve();
        return;
      }
      spins++;
      if (spins < 256) setImmediate(check);
      else setTimeout(check, spins < 512 ? 1 : 5);
    };
    setImmediate(check);
  });
  return within(polled, ms, clock, abort).then((o) => {
    stop = true;
    return o;
  });
}
