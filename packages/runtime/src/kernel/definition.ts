/**
 * Actor definitions: a name plus a behavior of plain functions over a state
 * value. Definitions are what executors look up by name after importing the
 * user's actor module, so a definition is data + code but never an instance.
 */
import type { ActorContext, InitContext } from './context.ts';
import { ConfigError } from './errors.ts';
import { definitionOptionKeys, resolveDefinitionOptions } from './feature-options.ts';
import { type MailboxOptions, resolveMailbox } from './mailbox.ts';
import type { Terminated } from './terminated.ts';
import { checkKeys } from './validate.ts';

export type Awaitable<T> = T | Promise<T>;

export interface Behavior<S, M, P = void> {
  /** Builds the initial state from props. Runs at spawn and again at every restart. */
  init(props: P, ctx: InitContext): S;
  /** Handles one message and returns the next state (or a promise of it). */
  receive(state: S, msg: M, ctx: ActorContext<M>): Awaitable<S>;
  /** Runs once before the first message (and after each restart). May return a new state. */
  onStart?(state: S, ctx: ActorContext<M>): Awaitable<S | void>;
  /** Runs once when the actor stops, after its children stopped. */
  onStop?(state: S, ctx: ActorContext<M>): Awaitable<void>;
  /**
   * Death watch notification. When absent, the `Terminated` value is delivered
   * to `receive` instead, like an Erlang `'DOWN'` message.
   */
  onTerminated?(state: S, terminated: Terminated, ctx: ActorContext<M>): Awaitable<S>;
  /**
   * State ↔ plain value, for behaviors whose live state is not a value
   * (e.g. `fromMachine`). Used when the actor is dehydrated for migration.
   */
  toValue?(state: S): unknown;
  fromValue?(value: unknown, props: P): S;
}

/**
 * The kernel's definition options; features add theirs (`retry`, `supervision`, `deadlock`,
 * `rank`) by augmenting this interface and registering a resolver (feature-options.ts).
 */
export interface DefinitionOptions {
  /** Never migrate this actor between executors (its state need not be serializable). */
  readonly pinned?: boolean;
  /** Default mailbox for actors of this definition. */
  readonly mailbox?: MailboxOptions;
  /** Messages per turn before the actor yields; overrides the system's. */
  readonly throughput?: number;
}

export interface ActorDefinition<S = any, M = any, P = any> extends DefinitionOptions {
  readonly kind: 'troupe.actor-definition';
  readonly name: string;
  readonly behavior: Behavior<S, M, P>;
}

/** Message type accepted by a definition. */
export type MessageOf<D> = D extends ActorDefinition<any, infer M, any> ? M : never;
/** Props type taken by a definition. */
export type PropsOf<D> = D extends ActorDefinition<any, any, infer P> ? P : never;
/** State type of a definition. */
export type StateOf<D> = D extends ActorDefinition<infer S, any, any> ? S : never;

const CORE_OPTION_KEYS = ['pinned', 'mailbox', 'throughput'];
const HOOK_KEYS = ['init', 'receive', 'onStart', 'onStop', 'onTerminated', 'toValue', 'fromValue'];

export function defineActor<S, M, P = void>(
  name: string,
  behavior: Behavior<S, M, P> & DefinitionOptions,
  options: DefinitionOptions = {},
): ActorDefinition<S, M, P> {
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError('defineActor(name)', 'a non-empty string', name);
  if (behavior === null || typeof behavior !== 'object')
    throw new ConfigError(`defineActor("${name}", behavior)`, 'an object with init and receive', behavior);
  // A misspelt hook (`onStrat`) or option would otherwise never run or never apply.
  const optionKeys = [...CORE_OPTION_KEYS, ...definitionOptionKeys()];
  checkKeys(behavior, [...HOOK_KEYS, ...optionKeys], `defineActor("${name}")`);
  if (options === null || typeof options !== 'object')
    throw new ConfigError(`defineActor("${name}", options)`, 'an object of definition options', options);
  checkKeys(options, optionKeys, `defineActor("${name}", options)`);
  if (typeof behavior.init !== 'function')
    throw new ConfigError(`defineActor("${name}").init`, 'a function (props) => state', behavior.init);
  if (typeof behavior.receive !== 'function')
    throw new ConfigError(
      `defineActor("${name}").receive`,
      'a function (state, msg, ctx) => state',
      behavior.receive,
    );
  for (const hook of ['onStart', 'onStop', 'onTerminated', 'toValue', 'fromValue'] as const) {
    const h = behavior[hook];
    if (h !== undefined && typeof h !== 'function')
      throw new ConfigError(`defineActor("${name}").${hook}`, 'a function or undefined', h);
  }
  const pinned = options.pinned ?? behavior.pinned ?? false;
  if (typeof pinned !== 'boolean')
    throw new ConfigError(`defineActor("${name}").pinned`, 'a boolean', pinned);
  const throughput = options.throughput ?? behavior.throughput;
  if (throughput !== undefined && !(Number.isInteger(throughput) && throughput > 0))
    throw new ConfigError(`defineActor("${name}").throughput`, 'a positive integer', throughput);
  const mailbox = options.mailbox ?? behavior.mailbox;
  if (mailbox !== undefined) resolveMailbox(mailbox, `defineActor("${name}").mailbox`);
  const o = options as Record<string, unknown>;
  const b = behavior as unknown as Record<string, unknown>;
  const features = resolveDefinitionOptions((k) => o[k] ?? b[k], `defineActor("${name}")`);
  return Object.freeze({
    kind: 'troupe.actor-definition' as const,
    name,
    behavior,
    pinned,
    ...(throughput !== undefined ? { throughput } : {}),
    ...(mailbox !== undefined ? { mailbox } : {}),
    ...features,
  });
}

export function isActorDefinition(v: unknown): v is ActorDefinition {
  return v !== null && typeof v === 'object' && (v as { kind?: unknown }).kind === 'troupe.actor-definition';
}

/** Collects the definitions exported by an actor module (any export that is one). */
export function definitionsOf(moduleExports: Record<string, unknown>): ActorDefinition[] {
  return Object.values(moduleExports).filter(isActorDefinition);
}
