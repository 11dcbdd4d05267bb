/**
 * Scheduler options (flat in SystemOptions): topology override, stealing
 * parameters (names from the seed designs), the adaptive pool bounds and the
 * executors' execArgv. Validated eagerly like every other option.
 */
import { DEFAULT_MAX_NAMES } from '@troupe/scheduler';
import { ConfigError } from '../kernel/errors.ts';
import { checkKeys, checkRange, MAX_TIMER_MS } from '../kernel/validate.ts';
import { FAULT_KEYS, type FaultOptions, type ResolvedFaults, resolveFaultOptions } from './fault-options.ts';

export interface SchedulerOptions extends FaultOptions {
  /** NUMA groups override, e.g. `{ groups: [[0, 1], [2, 3]] }` (env `TROUPE_TOPOLOGY=0-1,2-3` also works). */
  readonly topology?: { readonly groups: readonly (readonly number[])[] };
  /** Idle executors steal ready actors from busy ones. Default true. */
  readonly stealing?: boolean;
  /** Failed local steal rounds before an executor tries other NUMA groups. Default 3. */
  readonly maxStealRetries?: number;
  /** Wait between failed steal rounds, ms. Default 2. */
  readonly stealCooldownMs?: number;
  /** A victim's ready queue must hold at least this many actors. Default 2. */
  readonly stealThreshold?: number;
  /** Adaptive pool bounds (executors: 'auto' starts at the topology's count). */
  readonly minExecutors?: number;
  readonly maxExecutors?: number;
  /** An executor idle this long may retire when the pool is above minExecutors, ms. */
  readonly idleTimeoutMs?: number;
  /** Extra Node flags for executor threads (they inherit process.execArgv). */
  readonly executorExecArgv?: readonly string[];
  /** Most actor names held at once, system-wide (the shared name table, scheduler/names.ts). Default 16384. */
  readonly maxNames?: number;
  /**
   * How long an executor whose drain posted to other threads polls for their
   * answer before it parks, ms (spin-then-park). 0 parks at once: less CPU on
   * a shared machine, a thread wake-up per cross-thread round trip. Default 0.2.
   */
  readonly idleSpinMs?: number;
  /**
   * Executors that mostly wait on each other's messages gather those actors
   * onto one of them (scheduler/compaction.ts). Default true.
   */
  readonly compaction?: boolean;
}

export interface ResolvedScheduler {
  readonly topology: { readonly groups: unknown } | undefined;
  readonly stealing: boolean;
  readonly maxStealRetries: number;
  readonly stealCooldownMs: number;
  readonly stealThreshold: number;
  readonly minExecutors: number | undefined;
  readonly maxExecutors: number | undefined;
  readonly idleTimeoutMs: number;
  readonly execArgv: readonly string[] | undefined;
  readonly maxNames: number;
  readonly idleSpinMs: number;
  readonly compaction: boolean;
  /** How often an executor publishes its counters and considers stealing, ms. */
  readonly tickMs: number;
  /** Watchdog, resource limits, restart breaker (fault-options.ts). */
  readonly faults: ResolvedFaults;
}

export const SCHEDULER_KEYS = [
  'topology',
  'stealing',
  'maxStealRetries',
  'stealCooldownMs',
  'stealThreshold',
  'minExecutors',
  'maxExecutors',
  'idleTimeoutMs',
  'executorExecArgv',
  'maxNames',
  'idleSpinMs',
  'compaction',
  ...FAULT_KEYS,
] as const;

/**
 * Spin-then-park: on this 2-vCPU VM a parked thread takes ~50 µs to wake, so
 * PingPong across 2 executors took 4-6 s for 40,000 round trips; polling
 * 0.2 ms after a drain that posted took it to 0.57 s (0.05 ms: 0.96 s).
 */
export const DEFAULT_IDLE_SPIN_MS = 0.2;

const nonNegInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

export function resolveSchedulerOptions(o: SchedulerOptions): ResolvedScheduler {
  const topology = o.topology;
  if (topology !== undefined && (topology === null || typeof topology !== 'object'))
    throw new ConfigError('options.topology', '{ groups: number[][] }', topology);
  if (topology !== undefined) checkKeys(topology, ['groups'], 'options.topology');
  const stealing = o.stealing ?? true;
  if (typeof stealing !== 'boolean') throw new ConfigError('options.stealing', 'a boolean', stealing);
  const maxStealRetries = o.maxStealRetries ?? 3;
  if (!nonNegInt(maxStealRetries))
    throw new ConfigError('options.maxStealRetries', 'an integer ≥ 0', maxStealRetries);
  // Past a second an idle executor would sit out real load; the tick derives from it too (≤ 5 ms).
  const stealCooldownMs = checkRange(o.stealCooldownMs ?? 2, 'options.stealCooldownMs', {
    min: 0,
    max: 1000,
  });
  const stealThreshold = o.stealThreshold ?? 2;
  if (!(Number.isInteger(stealThreshold) && stealThreshold >= 1))
    throw new ConfigError('options.stealThreshold', 'an integer ≥ 1', stealThreshold);
  const { minExecutors, maxExecutors } = o;
  if (minExecutors !== undefined && !(nonNegInt(minExecutors) && minExecutors < 1024))
    throw new ConfigError('options.minExecutors', 'an integer in [0, 1023]', minExecutors);
  if (
    maxExecutors !== undefined &&
    !(Number.isInteger(maxExecutors) && maxExecutors >= 1 && maxExecutors < 1024)
  )
    throw new ConfigError('options.maxExecutors', 'an integer in [1, 1023]', maxExecutors);
  if (minExecutors !== undefined && maxExecutors !== undefined && minExecutors > maxExecutors)
    throw new ConfigError('options.minExecutors', `≤ maxExecutors (${maxExecutors})`, minExecutors);
  const idleTimeoutMs = checkRange(o.idleTimeoutMs ?? 30_000, 'options.idleTimeoutMs', {
    min: 0,
    max: MAX_TIMER_MS,
    minExclusive: true,
  });
  const execArgv = o.executorExecArgv;
  if (execArgv !== undefined && !(Array.isArray(execArgv) && execArgv.every((a) => typeof a === 'string')))
    throw new ConfigError('options.executorExecArgv', 'an array of strings', execArgv);
  const maxNames = o.maxNames ?? DEFAULT_MAX_NAMES;
  if (!(Number.isInteger(maxNames) && maxNames >= 1 && maxNames <= 2 ** 24))
    throw new ConfigError('options.maxNames', 'an integer in [1, 16777216]', maxNames);
  const idleSpinMs = checkRange(o.idleSpinMs ?? DEFAULT_IDLE_SPIN_MS, 'options.idleSpinMs', {
    min: 0,
    max: 10,
  });
  const compaction = o.compaction ?? true;
  if (typeof compaction !== 'boolean') throw new ConfigError('options.compaction', 'a boolean', compaction);
  return {
    topology,
    stealing,
    maxStealRetries,
    stealCooldownMs,
    stealThreshold,
    minExecutors,
    maxExecutors,
    idleTimeoutMs,
    execArgv,
    maxNames,
    idleSpinMs,
    compaction,
    tickMs: Math.max(1, Math.min(5, stealCooldownMs || 1)),
    faults: resolveFaultOptions(o),
  };
}
