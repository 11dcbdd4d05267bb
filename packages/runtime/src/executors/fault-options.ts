/**
 * Fault-isolation options (flat in SystemOptions, threaded mode only): the
 * watchdog's hang timeout and check interval, the executors' V8 resource
 * limits, and the restart circuit breaker. Validated eagerly; a bad value is
 * a ConfigError naming the field.
 */
import type { ResourceLimits } from 'node:worker_threads';
import { ConfigError } from '../kernel/errors.ts';
import {
  checkKeys,
  checkObject,
  checkRange,
  describeRange,
  inRange,
  MAX_TIMER_MS,
  type Range,
} from '../kernel/validate.ts';

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

/**
 * A hang timeout below a scheduling hiccup (a GC pause, a loaded machine)
 * declares healthy executors hung: at 1 ms, 8 verdicts and 2,004 lost
 * messages in 2 s. Executors beat at every turn and tick (≤ 5 ms).
 */
export const HANG_TIMEOUT_MS: Range = { min: 100, max: MAX_TIMER_MS };
/** The watchdog's period: below 10 ms it only burns the main thread; a minute is already a slow check. */
export const WATCHDOG_INTERVAL_MS: Range = { min: 10, max: 60_000 };
const LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'];
/** V8 sizes in MB: up to 1 TiB (V8 clamps what it cannot use). */
const LIMIT_MB: Range = { min: 0, max: 1_048_576, minExclusive: true };
/** Below about 0.25 MB Node cannot start the thread and takes the whole process down; 1 MB leaves the runtime room. */
const STACK_MB: Range = { min: 1, max: 1024 };

export function resolveFaultOptions(o: FaultOptions): ResolvedFaults {
  const hangTimeoutMs = o.hangTimeoutMs ?? 10_000;
  if (hangTimeoutMs !== false && !inRange(hangTimeoutMs, HANG_TIMEOUT_MS))
    throw new ConfigError(
      'options.hangTimeoutMs',
      `${describeRange(HANG_TIMEOUT_MS)} or false (no watchdog)`,
      hangTimeoutMs,
    );
  const watchdogIntervalMs = checkRange(
    o.watchdogIntervalMs ?? (hangTimeoutMs === false ? 1000 : Math.min(1000, hangTimeoutMs / 4)),
    'options.watchdogIntervalMs',
    hangTimeoutMs === false
      ? WATCHDOG_INTERVAL_MS
      : { ...WATCHDOG_INTERVAL_MS, max: Math.min(WATCHDOG_INTERVAL_MS.max, hangTimeoutMs) },
    hangTimeoutMs === false ? undefined : `at most hangTimeoutMs, ${hangTimeoutMs}`,
  );
  const limits = o.resourceLimits;
  if (limits !== undefined) {
    checkObject(limits, 'options.resourceLimits', 'an object of V8 limits');
    checkKeys(limits, LIMIT_KEYS, 'options.resourceLimits');
    for (const [k, v] of Object.entries(limits))
      if (v !== undefined)
        checkRange(v, `options.resourceLimits.${k}`, k === 'stackSizeMb' ? STACK_MB : LIMIT_MB);
  }
  const b = o.restartBreaker ?? {};
  checkObject(b, 'options.restartBreaker', '{ maxLosses?, windowMs? }');
  checkKeys(b, ['maxLosses', 'windowMs'], 'options.restartBreaker');
  const maxLosses = b.maxLosses ?? 3;
  if (!(Number.isInteger(maxLosses) && maxLosses >= 1))
    throw new ConfigError('options.restartBreaker.maxLosses', 'an integer ≥ 1', maxLosses);
  const windowMs = checkRange(b.windowMs ?? 60_000, 'options.restartBreaker.windowMs', {
    min: 1,
    max: MAX_TIMER_MS,
  });
  return { hangTimeoutMs, watchdogIntervalMs, resourceLimits: limits, breaker: { maxLosses, windowMs } };
}

/**
 * The option an executor that failed to start points at, when the failure is
 * one its V8 limits cause (out of memory, stack overflow) rather than the
 * actors module: a ConfigError on `options.resourceLimits.*`, else undefined.
 */
export function limitsStartError(
  limits: ResourceLimits | undefined,
  failure: string,
): ConfigError | undefined {
  if (limits === undefined) return undefined;
  const set = (k: keyof ResourceLimits) => limits[k] !== undefined;
  let key: keyof ResourceLimits | undefined;
  if (/ERR_WORKER_OUT_OF_MEMORY|out of memory/i.test(failure))
    key = (['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb'] as const).find(set);
  else if (/Maximum call stack size exceeded/.test(failure) && set('stackSizeMb')) key = 'stackSizeMb';
  if (key === undefined) return undefined;
  return new ConfigError(
    `options.resourceLimits.${key}`,
    'a limit an executor can start under (it needs room for the runtime and the actors module)',
    limits[key],
    {
      message: `options.resourceLimits.${key}: ${limits[key]} MB cannot be honoured, an executor failed to start under it (${failure.split('\n')[0]})`,
    },
  );
}
