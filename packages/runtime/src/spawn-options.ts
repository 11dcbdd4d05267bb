import { ConfigError } from './errors.ts';
import { type MailboxOptions, type ResolvedMailbox, resolveMailbox } from './mailbox.ts';
import { ActorRef } from './ref.ts';
import { type RetryOptions, type RetryPolicy, resolveRetry } from './supervision/retry.ts';

export interface SpawnOptions {
  /** Unique name in the system; `system.lookup(name)` finds it. */
  readonly name?: string;
  /** Mailbox bounds for this actor (overrides the definition's). */
  readonly mailbox?: MailboxOptions;
  /** Parent actor (default: the spawning actor, or the root guardian from outside). */
  readonly parent?: ActorRef;
  /** Message retries before supervision sees a failure (overrides the definition's). */
  readonly retry?: RetryOptions;
  /**
   * Where the actor runs when the system has executors: `'local'` (the
   * spawner's executor; default for `ctx.spawn`), `'spread'` (least loaded;
   * default from the main thread), `{ group }` or `{ executor }`.
   */
  readonly placement?: Placement;
}

export type Placement = 'local' | 'spread' | { readonly group: number } | { readonly executor: number };

export interface ResolvedSpawn {
  readonly name: string | undefined;
  readonly mailbox: ResolvedMailbox | undefined;
  readonly parent: ActorRef | undefined;
  readonly retry: RetryPolicy | undefined;
}

const known = new Set(['name', 'mailbox', 'parent', 'placement', 'retry']);

export function resolveSpawnOptions(opts: SpawnOptions | undefined, path = 'spawn(options)'): ResolvedSpawn {
  if (opts === undefined) return NO_OPTIONS;
  if (opts === null || typeof opts !== 'object')
    throw new ConfigError(path, '{ name?, mailbox?, parent? }', opts);
  for (const k of Object.keys(opts)) {
    if (!known.has(k))
      throw new ConfigError(`${path}.${k}`, 'one of name, mailbox, parent, retry', 'an unknown option');
  }
  const { name, parent } = opts;
  if (name !== undefined && (typeof name !== 'string' || name.length === 0))
    throw new ConfigError(`${path}.name`, 'a non-empty string', name);
  if (parent !== undefined && !(parent instanceof ActorRef))
    throw new ConfigError(`${path}.parent`, 'an ActorRef', parent);
  return {
    name,
    parent,
    mailbox: opts.mailbox === undefined ? undefined : resolveMailbox(opts.mailbox, `${path}.mailbox`),
    retry: resolveRetry(opts.retry, `${path}.retry`),
  };
}

const NO_OPTIONS: ResolvedSpawn = Object.freeze({
  name: undefined,
  mailbox: undefined,
  parent: undefined,
  retry: undefined,
});
