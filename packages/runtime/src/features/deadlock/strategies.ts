/**
 * Deadlock strategies: what to do with a wait-for cycle once it is found.
 *
 * A strategy is a pure function from the cycle (actors, the asks between
 * them, how long each has waited) to one action. The built-in ones are
 * written against the same interface as user strategies, so a custom
 * strategy registered with `registerDeadlockStrategy(name, fn)` can do
 * anything a built-in can.
 *
 * Invariants:
 * 1. `timeout-only` never reaches a strategy: detection is off for it.
 * 2. `prevent` acts before a cycle can form (hierarchy.ts); a cycle it could
 *    not prevent (through unranked actors) is resolved like `fail-ask`.
 * 3. The registry is process-wide and names are unique: a built-in name or a
 *    name already taken is a ConfigError, so a strategy named in options
 *    always means one function.
 */
import { ConfigError } from '../../kernel/errors.ts';
import type { ActorDescription } from '../../kernel/events.ts';

/** One actor in a cycle, in wait order: each waits on the next, the last on the first. A higher `id` is a younger actor. */
export interface DeadlockActor extends ActorDescription {
  /** `deadlock.priority` of its definition (default 0): lower is sacrificed first. */
  readonly priority: number;
}

/** One pending ask in a cycle: `from` is blocked until `to` answers. */
export interface DeadlockAsk {
  /** Ask id (unique per system, growing with creation order; names the ask in actions). */
  readonly id: number;
  readonly from: ActorDescription;
  readonly to: ActorDescription;
  readonly messageType: string;
  /** How long `from` has been waiting, ms. */
  readonly ageMs: number;
  /** Call chain the ask belongs to (reentrancy). */
  readonly chain: number;
}

export interface DeadlockCycle {
  readonly actors: readonly DeadlockActor[];
  /** `asks[i]` goes from `actors[i]` to `actors[(i + 1) % n]`; `asks[0]` closed the cycle. */
  readonly asks: readonly DeadlockAsk[];
  /** Id of the ask whose edge closed the cycle. */
  readonly closing: number;
}

export type DeadlockAction =
  /** Reject this ask with DeadlockError; its queued message is dead-lettered `deadlock`. */
  | { readonly type: 'fail-ask'; readonly ask: number }
  /** Abort the actor's waiting handler and let its supervisor restart it (reason `deadlock`). */
  | { readonly type: 'restart'; readonly actor: number }
  /** Leave the cycle to ask timeouts. */
  | { readonly type: 'none' };

export type DeadlockStrategy = (cycle: DeadlockCycle) => DeadlockAction;

export const BUILTIN_STRATEGIES = [
  'fail-ask',
  'fail-youngest',
  'restart-victim',
  'prevent',
  'timeout-only',
] as const;
export type BuiltinStrategy = (typeof BUILTIN_STRATEGIES)[number];

const failAsk: DeadlockStrategy = (c) => ({ type: 'fail-ask', ask: c.closing });

/**
 * The most recent wait fails: the youngest ask, ties broken by the later id
 * (ask ids grow with creation order system-wide, whichever executor made them).
 */
const failYoungest: DeadlockStrategy = (c) => {
  let best = c.asks[0]!;
  for (const a of c.asks) if (a.ageMs < best.ageMs || (a.ageMs === best.ageMs && a.id > best.id)) best = a;
  return { type: 'fail-ask', ask: best.id };
};

/**
 * Lowest priority first, then the youngest actor: the highest id, as ids grow
 * with spawn order system-wide (drawn from one sequence shared by every
 * executor, host.ts `nextSeq`), whichever executor each actor was born on.
 */
const restartVictim: DeadlockStrategy = (c) => {
  let v = c.actors[0]!;
  for (const a of c.actors) if (a.priority < v.priority || (a.priority === v.priority && a.id > v.id)) v = a;
  return { type: 'restart', actor: v.id };
};

const registry = new Map<string, DeadlockStrategy>([
  ['fail-ask', failAsk],
  ['fail-youngest', failYoungest],
  ['restart-victim', restartVictim],
  ['prevent', failAsk],
]);

/**
 * Registers a named strategy for `deadlock: { strategy: name }` (system-wide or
 * per definition). Register before creating the system or defining actors that
 * name it.
 */
export function registerDeadlockStrategy(name: string, fn: DeadlockStrategy): void {
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError('registerDeadlockStrategy(name)', 'a non-empty string', name);
  if ((BUILTIN_STRATEGIES as readonly string[]).includes(name) || registry.has(name))
    throw new ConfigError('registerDeadlockStrategy(name)', 'a name not already registered', name);
  if (typeof fn !== 'function')
    throw new ConfigError('registerDeadlockStrategy(fn)', 'a function (cycle) => action', fn);
  registry.set(name, fn);
}

export function isKnownStrategy(name: unknown): name is string {
  return typeof name === 'string' && (name === 'timeout-only' || registry.has(name));
}

export function strategyFn(name: string): DeadlockStrategy | undefined {
  return registry.get(name);
}

export function knownStrategies(): string[] {
  return ['timeout-only', ...registry.keys()];
}

/** Checks what a (custom) strategy returned against the cycle it was given. */
export function validAction(a: unknown, c: DeadlockCycle): a is DeadlockAction {
  if (a === null || typeof a !== 'object') return false;
  const x = a as { type?: unknown; ask?: unknown; actor?: unknown };
  if (x.type === 'none') return true;
  if (x.type === 'fail-ask') return c.asks.some((k) => k.id === x.ask);
  if (x.type === 'restart') return c.actors.some((k) => k.id === x.actor);
  return false;
}

/**
 * Runs the strategy named `name` on a cycle. A strategy that is missing, throws or answers
 * nonsense must not leave the cycle in place: the action falls back to failing the closing ask,
 * and `error` says why (for the `deadlock.resolved` event).
 */
export function decide(name: string, cycle: DeadlockCycle): { action: DeadlockAction; error: unknown } {
  let action: unknown;
  let error: unknown;
  try {
    const fn = strategyFn(name);
    if (fn === undefined)
      throw new ConfigError(
        `deadlock strategy "${name}"`,
        'a strategy registered on the main thread too',
        name,
      );
    action = fn(cycle);
  } catch (e) {
    error = e;
  }
  if (!validAction(action, cycle)) {
    error ??= new ConfigError(
      `deadlock strategy "${name}"`,
      'an action naming an ask or actor of the cycle',
      action,
    );
    action = { type: 'fail-ask', ask: cycle.closing };
  }
  return { action: action as DeadlockAction, error };
}
