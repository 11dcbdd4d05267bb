/**
 * Fault-isolation options (flat in SystemOptions, threaded mode only): the
 * watchdog's hang timeout and check interval, the executors' V8 resource
 * limits, and the restart circuit breaker. Validated eagerly; a bad value is
 * a ConfigError naming the field.
 */
import type { ResourceLimits } from 'node:worker_threads';
import { ConfigError } from '../errors.ts';

export interface FaultOptions {
  /**
   * An executor silent this long is declared hung and replaced, ms; false disables the watchdog.
   * Default 10 000: a handler that legitimately computes longer must split its work or raise it.
   */
  readonly hangTimeoutMs?: number | false;
  /** How often the main thread checks the heartbeats, ms. Default hangTimeoutMs / 4, at most 1000. */
  readonly watchdogIntervalMs?: number;
  /** V8 limits for each executor thread (an executor over them dies and is replaced). */
  readonly resourceLimits?: ResourceLimits;
  /**
   * An actor definition that takes down `maxLosses` executors within `windowMs`
   * is quarantined: its actors are stopped and new spawns of it refused.
   * Default 3 in 60 000 ms.
   */
  readonly restartBreaker?: { readonly maxLosses?: number; readonly windowMs?: number };
}

export interface ResolvedFaults {
  readonly hangTimeoutMs: number | false;
  readonly watchdogIntervalMs: number;
  readonly resourceLimits: ResourceLimits | undefined;
  readonly breaker: { readonly maxLosses: number; readonly windowMs: number };
}

export const FAULT_KEYS = [
  'hangTimeoutMs',
  'watchdogIntervalMs',
  'resourceLimits',
  'restartBreaker',
] as const;

const positive = (v: unknown): v is number => typeof v === 'number' && v > 0 && Number.isFinite(v);
const LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'];

export function resolveFaultOptions(o: FaultOptions): ResolvedFaults {
  const hangTimeoutMs = o.hangTimeoutMs ?? 10_000;
  if (hangTimeoutMs !== false && !positive(hangTimeoutMs))
    throw new ConfigError('options.hangTimeoutMs', 'a positive finite number or false', hangTimeoutMs);
  const watchdogIntervalMs =
    o.watchdogIntervalMs ?? (hangTimeoutMs === false ? 1000 : Math.min(1000, hangTimeoutMs / 4));
  if (!positive(watchdogIntervalMs))
    throw new ConfigError('options.watchdogIntervalMs', 'a positive finite number', watchdogIntervalMs);
  const limits = o.resourceLimits;
  if (limits !== undefined) {
    if (limits === null || typeof limits !== 'object')
      throw new ConfigError('options.resourceLimits', 'an object of V8 limits', limits);
    for (const [k, v] of Object.entries(limits)) {
      if (!LIMIT_KEYS.includes(k))
        throw new ConfigError(`options.resourceLimits.${k}`, `one of ${LIMIT_KEYS.join(', ')}`, 'unknown');
      if (!positive(v)) throw new ConfigError(`options.resourceLimits.${k}`, 'a positive number', v);
    }
  }
  const b = o.restartBreaker ?? {};
  if (b === null || typeof b !== 'object')
    throw new ConfigError('options.restartBreaker', '{ maxLosses?, windowMs? }', b);
  const maxLosses = b.maxLosses ?? 3;
  if (!(Number.isInteger(maxLosses) && maxLosses >= 1))
    throw new ConfigError('options.restartBreaker.maxLosses', 'an integer ≥ 1', maxLosses);
  const windowMs = b.windowMs ?? 60_000;
  if (!positive(windowMs))
    throw new ConfigError('options.restartBreaker.windowMs', 'a positive finite number', windowMs);
  return { hangTimeoutMs, watchdogIntervalMs, resourceLimits: limits, breaker: { maxLosses, windowMs } };
}
