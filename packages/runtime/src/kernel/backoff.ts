/**
 * Exponential backoff with jitter, as in Akka's `RestartSupervisor.withBackoff`:
 * the n-th consecutive restart (n from 0) waits
 * `min(maxMs, minMs · factor^n) · (1 + jitter · r)` with `r` drawn from
 * `random()` in [0, 1). Delays are armed on the injected clock, so a test with
 * `SimulatedClock` (and a fixed `random`) sees exact delays.
 *
 * Invariant: a delay lies in [base, base · (1 + jitter)) where base is the
 * capped exponential; `random` is injectable so jitter is testable.
 */
import { ConfigError } from './errors.ts';
import { checkKeys, checkRange, MAX_TIMER_MS, type Range } from './validate.ts';

export interface BackoffOptions {
  /** Delay before the first restart, ms. */
  readonly minMs: number;
  /** Cap of the exponential part, ms. */
  readonly maxMs: number;
  /** Growth per consecutive restart. Default 2. */
  readonly factor?: number;
  /** Random extra fraction in [0, jitter) of the delay. Default 0. */
  readonly jitter?: number;
  /** A child that ran this long without failing starts again at `minMs`. Default `maxMs`. */
  readonly resetAfterMs?: number;
  /** Source of jitter in [0, 1) (code only, not JSON). Default Math.random. */
  readonly random?: () => number;
}

export interface Backoff {
  readonly minMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  readonly resetAfterMs: number;
  readonly random: () => number;
}

/** A delay armed on a timer: past MAX_TIMER_MS Node fires it after 1 ms. */
const DELAY_MS: Range = { min: 0, max: MAX_TIMER_MS };

export function resolveBackoff(v: unknown, path: string): Backoff {
  if (v === null || typeof v !== 'object')
    throw new ConfigError(path, '{ minMs, maxMs, factor?, jitter?, resetAfterMs? }', v);
  const o = v as BackoffOptions;
  checkKeys(o, ['minMs', 'maxMs', 'factor', 'jitter', 'resetAfterMs', 'random'], path);
  checkRange(o.minMs, `${path}.minMs`, DELAY_MS);
  checkRange(o.maxMs, `${path}.maxMs`, { min: o.minMs, max: MAX_TIMER_MS }, 'not below minMs');
  const factor = o.factor ?? 2;
  if (!(typeof factor === 'number' && Number.isFinite(factor) && factor >= 1))
    throw new ConfigError(`${path}.factor`, 'a finite number ≥ 1', factor);
  const jitter = o.jitter ?? 0;
  if (!(typeof jitter === 'number' && jitter >= 0 && jitter <= 1))
    throw new ConfigError(`${path}.jitter`, 'a number in [0, 1]', jitter);
  const resetAfterMs = checkRange(o.resetAfterMs ?? o.maxMs, `${path}.resetAfterMs`, DELAY_MS);
  const random = o.random ?? Math.random;
  if (typeof random !== 'function')
    throw new ConfigError(`${path}.random`, 'a function () => [0, 1)', random);
  return Object.freeze({ minMs: o.minMs, maxMs: o.maxMs, factor, jitter, resetAfterMs, random });
}

/** Delay before restart number `attempt` (0-based count of consecutive restarts). */
export function backoffDelay(b: Backoff, attempt: number): number {
  const base = Math.min(b.maxMs, b.minMs * b.factor ** attempt);
  if (b.jitter === 0) return base;
  const r = b.random();
  // A misbehaving random source must not produce negative or runaway delays.
  const u = r >= 0 && r < 1 ? r : 0;
  return base * (1 + b.jitter * u);
}

/** A JSON-safe copy (no `random`) for reports and events. */
export function backoffToJSON(b: Backoff): Omit<Backoff, 'random'> {
  return { minMs: b.minMs, maxMs: b.maxMs, factor: b.factor, jitter: b.jitter, resetAfterMs: b.resetAfterMs };
}
