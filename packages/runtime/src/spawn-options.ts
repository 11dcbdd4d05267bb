import { ConfigError } from './errors.ts';
import { type MailboxOptions, type ResolvedMailbox, resolveMailbox } from './mailbox.ts';
import { ActorRef } from './ref.ts';

export interface SpawnOptions {
  /** Unique name in the system; `system.lookup(name)` finds it. */
  readonly name?: string;
  /** Mailbox bounds for this actor (overrides the definition's). */
  readonly mailbox?: MailboxOptions;
  /** Parent actor (default: the spawning actor, or the root guardian from outside). */
  readonly parent?: ActorRef;
}

export interface ResolvedSpawn {
  readonly name: string | undefined;
  readonly mailbox: ResolvedMailbox | undefined;
  readonly parent: ActorRef | undefined;
}

const known = new Set(['name', 'mailbox', 'parent', 'placement']);

export function resolveSpawnOptions(opts: SpawnOptions | undefined, path = 'spawn(options)'): ResolvedSpawn {
  if (opts === undefined) return NO_OPTIONS;
  if (opts === null || typeof opts !== 'object')
    throw new ConfigError(path, '{ name?, mailbox?, parent? }', opts);
  for (const k of Object.keys(opts)) {
    if (!known.has(k))
      throw new ConfigError(`${path}.${k}`, 'one of name, mailbox, parent', 'an unknown option');
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
  };
}

const NO_OPTIONS: ResolvedSpawn = Object.freeze({ name: undefined, mailbox: undefined, parent: undefined });
