/**
 * Supervision specs as data: `supervisor(spec)` validates eagerly and returns
 * a frozen spec; a spec made only of strings, numbers and nested objects
 * (actors referenced by definition name, deciders as tables) is plain JSON
 * and can be loaded from a file (`loadSupervisorSpec`).
 *
 * Invariants:
 * 1. Every bad field is a ConfigError whose path names it from the spec's
 *    root, e.g. `children[2].restart` or `children[1].supervisor.intensity.withinMs`.
 * 2. Defaults are OTP's: strategy one-for-one, intensity 1 restart in 5 s,
 *    restart permanent, shutdownMs 5000 for workers and infinity for
 *    supervisors; no backoff (restart at once) unless `backoff` is given.
 * 3. Actor names are resolved against the system's definitions when the tree
 *    starts (`resolveActor`), so a spec can be validated before a system exists.
 */

import { type Backoff, type BackoffOptions, resolveBackoff } from '../../kernel/backoff.ts';
import type { ActorDefinition, DefinitionOptions } from '../../kernel/definition.ts';
import { isActorDefinition } from '../../kernel/definition.ts';
import { ConfigError } from '../../kernel/errors.ts';
import { resolveSpawnOption } from '../../kernel/feature-options.ts';
import { type MailboxOptions, resolveMailbox } from '../../kernel/mailbox.ts';
import { checkPlacement, type Placement, type SpawnOptions } from '../../kernel/spawn-options.ts';
import { checkKeys, closest, MAX_TIMER_MS } from '../../kernel/validate.ts';
import {
  checkDirective,
  type Decider,
  type DeciderTable,
  type Directive,
  defaultDecider,
  oneOf,
  resolveDecider,
} from './decider.ts';
import { type IntensityOptions, resolveIntensity } from './intensity.ts';
import { STRATEGIES, type Strategy } from './strategy.ts';

export type { Strategy };
export type RestartType = 'permanent' | 'transient' | 'temporary';
export type { Directive };
export { checkDirective, defaultDecider };

const RESTART_TYPES: readonly RestartType[] = ['permanent', 'transient', 'temporary'];

export type { ChildInfo } from './decider.ts';
export type { Decider, DeciderTable };

export interface WorkerChildSpecInput {
  readonly id: string;
  /** The definition, or its name (JSON). */
  readonly actor: ActorDefinition | string;
  readonly props?: unknown;
  readonly restart?: RestartType;
  /** Time the child gets to stop (onStop) before it is killed. Default 5000. */
  readonly shutdownMs?: number | 'infinity';
  /** Registers the child under this system-wide name (lookup). */
  readonly name?: string;
  readonly retry?: SpawnOptions['retry'];
  readonly mailbox?: MailboxOptions;
  /**
   * Where the worker runs when the system has executors: `'spread'` (default: a pool of workers
   * spreads over the executors), `'local'` (the supervisor's executor), `{ group }` or `{ executor }`.
   */
  readonly placement?: Placement;
}

export interface SupervisorChildSpecInput {
  readonly id: string;
  readonly supervisor: Omit<SupervisorSpecInput, 'id'> & { readonly id?: string };
  readonly restart?: RestartType;
  /** Default infinity (a supervisor gets the time its own children need). */
  readonly shutdownMs?: number | 'infinity';
  readonly name?: string;
}

export type ChildSpecInput = WorkerChildSpecInput | SupervisorChildSpecInput;

export interface SupervisorSpecInput {
  readonly id: string;
  readonly strategy?: Strategy;
  readonly intensity?: Partial<IntensityOptions>;
  readonly backoff?: BackoffOptions;
  /** `(error, child) => directive`, or a table by error name/code. Default: restart. */
  readonly decider?: Decider | DeciderTable;
  readonly children?: readonly ChildSpecInput[];
}

export interface WorkerChildSpec {
  readonly kind: 'worker';
  readonly id: string;
  readonly actor: ActorDefinition | string;
  readonly props: unknown;
  readonly restart: RestartType;
  readonly shutdownMs: number;
  readonly name: string | undefined;
  /** The `retry` spawn option, resolved by the retry feature (feature-options.ts). */
  readonly retry: DefinitionOptions['retry'];
  readonly mailbox: MailboxOptions | undefined;
  /** As given; the supervisor places a worker with none by `'spread'` (supervisor.ts `launch`). */
  readonly placement: Placement | undefined;
}

export interface SupervisorChildSpec {
  readonly kind: 'supervisor';
  readonly id: string;
  readonly spec: SupervisorSpec;
  readonly restart: RestartType;
  readonly shutdownMs: number;
  readonly name: string | undefined;
}

export type ChildSpec = WorkerChildSpec | SupervisorChildSpec;

export interface SupervisorSpec {
  readonly kind: 'troupe.supervisor-spec';
  readonly id: string;
  readonly strategy: Strategy;
  readonly intensity: IntensityOptions;
  readonly backoff: Backoff | undefined;
  readonly decider: Decider;
  readonly children: readonly ChildSpec[];
}

export const DEFAULT_WORKER_SHUTDOWN_MS = 5000;

export function isSupervisorSpec(v: unknown): v is SupervisorSpec {
  return v !== null && typeof v === 'object' && (v as { kind?: unknown }).kind === 'troupe.supervisor-spec';
}

/** Validates a supervision spec (object or parsed JSON); ConfigError names the bad field. */
export function supervisor(spec: SupervisorSpecInput | SupervisorSpec): SupervisorSpec {
  if (isSupervisorSpec(spec)) return spec;
  return resolveSupervisor(spec, '', undefined);
}

const at = (prefix: string, key: string): string => (prefix === '' ? key : `${prefix}.${key}`);

function resolveSupervisor(v: unknown, path: string, inheritedId: string | undefined): SupervisorSpec {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError(path || 'spec', '{ id, strategy?, intensity?, backoff?, decider?, children? }', v);
  const o = v as SupervisorSpecInput;
  checkKeys(o, ['id', 'strategy', 'intensity', 'backoff', 'decider', 'children', 'kind'], path);
  const id = o.id ?? inheritedId;
  if (typeof id !== 'string' || id.length === 0)
    throw new ConfigError(at(path, 'id'), 'a non-empty string', o.id);
  const strategy = o.strategy ?? 'one-for-one';
  if (!STRATEGIES.includes(strategy))
    throw new ConfigError(at(path, 'strategy'), oneOf(STRATEGIES), strategy);
  const intensity = resolveIntensity(o.intensity, at(path, 'intensity'));
  const backoff = o.backoff === undefined ? undefined : resolveBackoff(o.backoff, at(path, 'backoff'));
  const decider = resolveDecider(o.decider, at(path, 'decider'));
  const list = o.children ?? [];
  if (!Array.isArray(list)) throw new ConfigError(at(path, 'children'), 'an array of child specs', list);
  const children: ChildSpec[] = [];
  const ids = new Set<string>();
  list.forEach((c, i) => {
    const cp = `${at(path, 'children')}[${i}]`;
    const child = resolveChild(c, cp);
    if (ids.has(child.id)) throw new ConfigError(`${cp}.id`, 'an id unique among its siblings', child.id);
    ids.add(child.id);
    children.push(child);
  });
  const spec = Object.freeze({
    kind: 'troupe.supervisor-spec' as const,
    id,
    strategy,
    intensity,
    backoff,
    decider,
    children: Object.freeze(children),
  });
  sources.set(spec, o);
  return spec;
}

/** The input each resolved spec came from: what crosses to an executor thread (tree-threaded.ts). */
const sources = new WeakMap<SupervisorSpec, SupervisorSpecInput>();

/** The input `spec` was resolved from (resolved specs hold functions; their input may be data). */
export function specSource(spec: SupervisorSpec): SupervisorSpecInput | undefined {
  return sources.get(spec);
}

/** The input a resolved child spec came from: what a moving supervisor carries (moving.ts). */
export function childSource(spec: ChildSpec): ChildSpecInput | undefined {
  return childSources.get(spec);
}

const childSources = new WeakMap<ChildSpec, ChildSpecInput>();

/** Validates one child spec; `path` names it in errors (`children[2]`, `startChild(spec)`). */
export function resolveChild(v: unknown, path: string): ChildSpec {
  const spec = resolveChildSpec(v, path);
  childSources.set(spec, v as ChildSpecInput);
  return spec;
}

function resolveChildSpec(v: unknown, path: string): ChildSpec {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError(path, '{ id, actor | supervisor, props?, restart?, shutdownMs? }', v);
  const o = v as WorkerChildSpecInput & SupervisorChildSpecInput;
  const isSup = o.supervisor !== undefined;
  if (isSup === (o.actor !== undefined))
    throw new ConfigError(path, 'exactly one of actor or supervisor', Object.keys(o));
  checkKeys(
    o,
    isSup
      ? ['id', 'supervisor', 'restart', 'shutdownMs', 'name']
      : ['id', 'actor', 'props', 'restart', 'shutdownMs', 'name', 'retry', 'mailbox', 'placement'],
    path,
  );
  if (typeof o.id !== 'string' || o.id.length === 0)
    throw new ConfigError(`${path}.id`, 'a non-empty string', o.id);
  const restart = o.restart ?? 'permanent';
  if (!RESTART_TYPES.includes(restart))
    throw new ConfigError(`${path}.restart`, oneOf(RESTART_TYPES), restart);
  let shutdownMs: number = isSup ? Number.POSITIVE_INFINITY : DEFAULT_WORKER_SHUTDOWN_MS;
  if (o.shutdownMs === 'infinity' || o.shutdownMs === Number.POSITIVE_INFINITY)
    shutdownMs = Number.POSITIVE_INFINITY;
  else if (o.shutdownMs !== undefined) {
    if (!(typeof o.shutdownMs === 'number' && o.shutdownMs >= 0 && o.shutdownMs <= MAX_TIMER_MS))
      throw new ConfigError(
        `${path}.shutdownMs`,
        `a number in [0, ${MAX_TIMER_MS}] or "infinity"`,
        o.shutdownMs,
      );
    shutdownMs = o.shutdownMs;
  }
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0))
    throw new ConfigError(`${path}.name`, 'a non-empty string', o.name);
  if (isSup)
    return Object.freeze({
      kind: 'supervisor' as const,
      id: o.id,
      spec: isSupervisorSpec(o.supervisor)
        ? o.supervisor
        : resolveSupervisor(o.supervisor, `${path}.supervisor`, o.id),
      restart,
      shutdownMs,
      name: o.name,
    });
  if (!(typeof o.actor === 'string' ? o.actor.length > 0 : isActorDefinition(o.actor)))
    throw new ConfigError(`${path}.actor`, 'an actor definition or its name', o.actor);
  if (o.mailbox !== undefined) resolveMailbox(o.mailbox, `${path}.mailbox`);
  if (o.placement !== undefined) checkPlacement(o.placement, `${path}.placement`);
  return Object.freeze({
    kind: 'worker' as const,
    id: o.id,
    actor: o.actor,
    props: o.props,
    restart,
    shutdownMs,
    name: o.name,
    retry: resolveSpawnOption('retry', o.retry, path) as DefinitionOptions['retry'],
    mailbox: o.mailbox,
    placement: o.placement,
  });
}

/** The definition a worker child runs, resolving a name against the system's definitions. */
export function resolveActor(
  child: WorkerChildSpec,
  definitions: ReadonlyMap<string, ActorDefinition>,
  path: string,
): ActorDefinition {
  if (typeof child.actor !== 'string') return child.actor;
  const def = definitions.get(child.actor);
  if (def === undefined) {
    const names = [...definitions.keys()].filter((n) => !n.startsWith('troupe.'));
    throw new ConfigError(
      `${path}.actor`,
      `the name of a known actor definition (${names.join(', ') || 'none registered'})`,
      child.actor,
      { suggestion: closest(child.actor, names) },
    );
  }
  return def;
}

/** Checks every actor name of a tree up front, so a typo fails `system.start` rather than a later restart. */
export function checkActors(
  spec: SupervisorSpec,
  definitions: ReadonlyMap<string, ActorDefinition>,
  path = '',
): void {
  spec.children.forEach((c, i) => {
    const cp = `${at(path, 'children')}[${i}]`;
    if (c.kind === 'worker') resolveActor(c, definitions, cp);
    else checkActors(c.spec, definitions, `${cp}.supervisor`);
  });
}

/** Reads and validates a JSON supervision config file. */
export async function loadSupervisorSpec(file: string | URL): Promise<SupervisorSpec> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(
      'loadSupervisorSpec(file)',
      'a readable JSON file',
      `${String(file)} (${(e as Error).message})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(
      'loadSupervisorSpec(file)',
      'valid JSON',
      `${String(file)} (${(e as Error).message})`,
    );
  }
  return supervisor(json as SupervisorSpecInput);
}
