/**
 * Spawn options: the kernel's own (name, mailbox, parent, placement,
 * shutdownMs) and those features register (feature-options.ts: `retry`),
 * validated at the call with the path of a bad field.
 */
import { ConfigError } from './errors.ts';
import { resolveSpawnOption, spawnOptionKeys } from './feature-options.ts';
import { type MailboxOptions, type ResolvedMailbox, resolveMailbox } from './mailbox.ts';
import { ActorRef } from './ref.ts';
import { checkKeys, checkObject, checkRange, closest, MAX_TIMER_MS } from './validate.ts';

/** Features add their fields by augmenting this interface (retry.ts adds `retry`). */
export interface SpawnOptions {
  /** Unique name in the system; `system.lookup(name)` finds it. */
  readonly name?: string;
  /** Mailbox bounds for this actor (overrides the definition's). */
  readonly mailbox?: MailboxOptions;
  /** Parent actor (default: the spawning actor, or the root guardian from outside). */
  readonly parent?: ActorRef;
  /**
   * Where the actor runs when the system has executors: `'local'` (the
   * spawner's executor; default for `ctx.spawn`), `'spread'` (least loaded;
   * default from the main thread), `{ group }` or `{ executor }`.
   */
  readonly placement?: Placement;
  /**
   * Time this actor gets to stop at shutdown once its children are gone (finish its handler, run
   * onStop), ms; past it the actor is killed. Default 5000 (OTP's worker shutdown). Each top-level
   * actor stops within its own budget, concurrently with its siblings.
   */
  readonly shutdownMs?: number;
}

export type Placement = 'local' | 'spread' | { readonly group: number } | { readonly executor: number };

export interface ResolvedSpawn {
  readonly name: string | undefined;
  readonly mailbox: ResolvedMailbox | undefined;
  readonly parent: ActorRef | undefined;
  readonly shutdownMs: number | undefined;
  readonly placement: Placement | undefined;
  /** Feature options present, resolved by their features, by key (null when none). */
  readonly ext: Readonly<Record<string, unknown>> | null;
}

const CORE = ['name', 'mailbox', 'parent', 'placement', 'shutdownMs'];
const PLACEMENT = "'local' | 'spread' | { group } | { executor }";

export function resolveSpawnOptions(opts: SpawnOptions | undefined, path = 'spawn(options)'): ResolvedSpawn {
  if (opts === undefined) return NO_OPTIONS;
  if (opts === null || typeof opts !== 'object')
    throw new ConfigError(path, '{ name?, mailbox?, parent?, retry?, placement?, shutdownMs? }', opts);
  const features = spawnOptionKeys();
  checkKeys(opts, [...CORE, ...features], path);
  const { name, parent } = opts;
  if (opts.placement !== undefined) checkPlacement(opts.placement, `${path}.placement`);
  if (name !== undefined && (typeof name !== 'string' || name.length === 0))
    throw new ConfigError(`${path}.name`, 'a non-empty string', name);
  if (parent !== undefined && !(parent instanceof ActorRef))
    throw new ConfigError(`${path}.parent`, 'an ActorRef', parent);
  const { shutdownMs } = opts;
  if (shutdownMs !== undefined) checkRange(shutdownMs, `${path}.shutdownMs`, { min: 0, max: MAX_TIMER_MS });
  const mailbox = opts.mailbox === undefined ? undefined : resolveMailbox(opts.mailbox, `${path}.mailbox`);
  let ext: Record<string, unknown> | null = null;
  const raw = opts as unknown as Record<string, unknown>;
  for (const k of features) {
    const v = resolveSpawnOption(k, raw[k], path);
    if (v !== undefined) (ext ??= {})[k] = v;
  }
  return { name, parent, mailbox, shutdownMs, placement: opts.placement, ext };
}

const NO_OPTIONS: ResolvedSpawn = Object.freeze({
  name: undefined,
  mailbox: undefined,
  parent: undefined,
  shutdownMs: undefined,
  placement: undefined,
  ext: null,
});

/**
 * The shape of a placement, checked in both modes (in-thread a placement has
 * nowhere to go, but a wrong one is still a mistake). Whether the executor or
 * group exists is the scheduler's Placer's to say (threaded mode).
 */
export function checkPlacement(p: unknown, path: string): void {
  if (p === 'local' || p === 'spread') return;
  if (typeof p === 'string')
    throw new ConfigError(path, PLACEMENT, p, { suggestion: closest(p, ['local', 'spread']) });
  checkObject(p, path, PLACEMENT);
  checkKeys(p, ['group', 'executor'], path);
  const keys = Object.keys(p);
  if (keys.length !== 1) throw new ConfigError(path, `exactly one of { group } or { executor }`, p);
  const k = keys[0] as 'group' | 'executor';
  const v = p[k];
  // Executors are numbered from 1 (0 is the main thread), NUMA groups from 0.
  const min = k === 'executor' ? 1 : 0;
  if (!(Number.isInteger(v) && (v as number) >= min))
    throw new ConfigError(`${path}.${k}`, `an integer ≥ ${min}`, v);
}
