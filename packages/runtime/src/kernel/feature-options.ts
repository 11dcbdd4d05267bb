/**
 * Options a feature adds to `defineActor` and to spawn options (`retry`,
 * `supervision`, `deadlock`, `rank`): the kernel validates its own fields and
 * asks the feature that registered a key to resolve that one, so a bad value
 * is still a ConfigError at the call that passed it, naming its path.
 *
 * A feature registers its keys when its module loads (the public entry point
 * imports every feature before user code runs), the way deadlock strategies
 * are registered (`registerDeadlockStrategy`). Types follow the same route:
 * the feature augments `DefinitionOptions` / `SpawnOptions` with its fields.
 */
import { ConfigError } from './errors.ts';

/** Turns a raw option into its resolved form (or undefined when absent); throws a ConfigError naming `path`. */
export type OptionResolver = (value: unknown, path: string) => unknown;

const definition = new Map<string, OptionResolver>();
const spawn = new Map<string, OptionResolver>();

/**
 * Registers `key` as a definition option and/or a spawn option of a feature. A
 * key registered twice is a ConfigError (two features may not claim one option).
 */
export function defineOption(
  key: string,
  where: { readonly definition?: boolean; readonly spawn?: boolean },
  resolve: OptionResolver,
): void {
  for (const [on, m] of [
    [where.definition, definition],
    [where.spawn, spawn],
  ] as const) {
    if (on !== true) continue;
    if (m.has(key)) throw new ConfigError('defineOption(key)', 'an option no feature registered yet', key);
    m.set(key, resolve);
  }
}

/** Definition option keys features registered, in registration order. */
export function definitionOptionKeys(): readonly string[] {
  return [...definition.keys()];
}

export function spawnOptionKeys(): readonly string[] {
  return [...spawn.keys()];
}

/** Resolves every registered definition option present in `raw` (`pick` reads one key from the inputs). */
export function resolveDefinitionOptions(
  pick: (key: string) => unknown,
  path: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, resolve] of definition) {
    const v = resolve(pick(key), `${path}.${key}`);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Resolves the registered spawn option `key` (undefined when absent or when no feature registered it). */
export function resolveSpawnOption(key: string, value: unknown, path: string): unknown {
  const r = spawn.get(key);
  return r === undefined || value === undefined ? undefined : r(value, `${path}.${key}`);
}
