/**
 * Deadlock options, system-wide (`createSystem({ deadlock })`) and per
 * definition (`defineActor(..., { deadlock, rank })`), validated eagerly with
 * the path of the bad field.
 */
import { ConfigError } from '../../kernel/errors.ts';
import { defineOption } from '../../kernel/feature-options.ts';
import { checkKeys, checkRange, closest, MAX_TIMER_MS, type Range } from '../../kernel/validate.ts';
import { isKnownStrategy, knownStrategies } from './strategies.ts';

export interface DeadlockOptions {
  /**
   * `fail-ask` | `fail-youngest` | `restart-victim` | `prevent` | `timeout-only`
   * or a name given to `registerDeadlockStrategy`. Default `timeout-only`
   * (detection off).
   */
  readonly strategy?: string;
  /** Emit `actor.stalled` when an actor's mailbox is non-empty and it took no message for this long, ms. */
  readonly stallMs?: number;
  /** Emit `handler.slow` when an (async) handler has been running this long, ms. */
  readonly slowHandlerMs?: number;
  /** Every ask from an actor is reentrant (see `AskOptions.reentrant`). Default false. */
  readonly reentrant?: boolean;
}

export interface DefinitionDeadlockOptions {
  /** Strategy for cycles closed by this definition's asks (overrides the system's). */
  readonly strategy?: string;
  /** `restart-victim` sacrifices the lowest priority first. Default 0. */
  readonly priority?: number;
  /** Asks from these actors are reentrant. */
  readonly reentrant?: boolean;
}

export interface ResolvedDeadlockOptions {
  readonly strategy: string;
  readonly stallMs: number | undefined;
  readonly slowHandlerMs: number | undefined;
  readonly reentrant: boolean;
}

export const DEADLOCK_OFF: ResolvedDeadlockOptions = Object.freeze({
  strategy: 'timeout-only',
  stallMs: undefined,
  slowHandlerMs: undefined,
  reentrant: false,
});

/** True when the host needs a deadlock runtime at all (otherwise asks take the plain path). */
export function deadlockWanted(o: ResolvedDeadlockOptions): boolean {
  return (
    o.strategy !== 'timeout-only' || o.stallMs !== undefined || o.slowHandlerMs !== undefined || o.reentrant
  );
}

function checkStrategy(s: unknown, path: string): void {
  if (!isKnownStrategy(s))
    throw new ConfigError(path, `one of ${knownStrategies().join(', ')} (or a registered strategy)`, s, {
      suggestion: typeof s === 'string' ? closest(s, knownStrategies()) : undefined,
    });
}

/** Stall and slow-handler thresholds: the check runs on a timer, so below 1 ms it would spin. */
const THRESHOLD_MS: Range = { min: 1, max: MAX_TIMER_MS };

function checkMs(v: unknown, path: string): void {
  if (v !== undefined) checkRange(v, path, THRESHOLD_MS);
}

export function resolveDeadlockOptions(o: unknown, path = 'options.deadlock'): ResolvedDeadlockOptions {
  if (o === undefined) return DEADLOCK_OFF;
  if (o === null || typeof o !== 'object') throw new ConfigError(path, 'an object', o);
  checkKeys(o, ['strategy', 'stallMs', 'slowHandlerMs', 'reentrant'], path);
  const d = o as DeadlockOptions;
  const strategy = d.strategy ?? 'timeout-only';
  checkStrategy(strategy, `${path}.strategy`);
  checkMs(d.stallMs, `${path}.stallMs`);
  checkMs(d.slowHandlerMs, `${path}.slowHandlerMs`);
  if (d.reentrant !== undefined && typeof d.reentrant !== 'boolean')
    throw new ConfigError(`${path}.reentrant`, 'a boolean', d.reentrant);
  return {
    strategy,
    stallMs: d.stallMs,
    slowHandlerMs: d.slowHandlerMs,
    reentrant: d.reentrant ?? false,
  };
}

/** A definition's `rank` (`path` names it). */
export function resolveRank(rank: unknown, path: string): number | undefined {
  if (rank !== undefined && !(typeof rank === 'number' && Number.isFinite(rank)))
    throw new ConfigError(path, 'a finite number', rank);
  return rank;
}

/** A definition's `deadlock` options (`path` names them), frozen; undefined when absent. */
export function resolveDefinitionDeadlock(
  deadlock: unknown,
  p: string,
): DefinitionDeadlockOptions | undefined {
  if (deadlock === undefined) return undefined;
  if (deadlock === null || typeof deadlock !== 'object') throw new ConfigError(p, 'an object', deadlock);
  checkKeys(deadlock, ['strategy', 'priority', 'reentrant'], p);
  const d = deadlock as DefinitionDeadlockOptions;
  if (d.strategy !== undefined) checkStrategy(d.strategy, `${p}.strategy`);
  if (d.priority !== undefined && !(typeof d.priority === 'number' && Number.isFinite(d.priority)))
    throw new ConfigError(`${p}.priority`, 'a finite number', d.priority);
  if (d.reentrant !== undefined && typeof d.reentrant !== 'boolean')
    throw new ConfigError(`${p}.reentrant`, 'a boolean', d.reentrant);
  return Object.freeze({ ...d });
}

declare module '../../kernel/definition.ts' {
  interface DefinitionOptions {
    /** Deadlock handling for asks made by this definition's actors (overrides the system's). */
    readonly deadlock?: DefinitionDeadlockOptions;
    /** Place in the ask hierarchy (`prevent`): actors may only ask actors of a higher rank. */
    readonly rank?: number;
  }
}

defineOption('rank', { definition: true }, resolveRank);
defineOption('deadlock', { definition: true }, resolveDefinitionDeadlock);
