/**
 * Actor definitions: a name plus a behavior of plain functions over a state
 * value. Definitions are what executors look up by name after importing the
 * user's actor module, so a definition is data + code but never an instance.
 */
import type { ActorDefinition, Behavior, DefinitionOptions } from './actor.ts';
import { ConfigError } from './errors.ts';
import { definitionOptionKeys, resolveDefinitionOptions } from './feature-options.ts';
import { resolveMailbox } from './mailbox.ts';
import { checkKeys } from './validate.ts';

// The types live in actor.ts (below the cell and the context); importers of definition.ts keep them.
export type {
  ActorDefinition,
  Awaitable,
  Behavior,
  DefinitionOptions,
  MessageOf,
  PropsOf,
  StateOf,
} from './actor.ts';

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
