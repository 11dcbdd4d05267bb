/**
 * What an executor does with its setup modules (options.executorSetup,
 * system/plugin-options.ts): each module's `plugins` export, checked, joins
 * the executor's host. A module without the export only runs (it may just
 * register a provider).
 */
import { ConfigError } from '../kernel/errors.ts';
import type { HostPlugin } from '../kernel/host.ts';

/** Checks one plugin; `where` names it in the error. */
export function checkPlugin(p: unknown, where: string): HostPlugin {
  if (
    p === null ||
    typeof p !== 'object' ||
    typeof (p as HostPlugin).name !== 'string' ||
    typeof (p as HostPlugin).install !== 'function'
  )
    throw new ConfigError(where, 'a plugin { name: string, install(api) }', p);
  return p as HostPlugin;
}

/** One setup module's plugins, checked. */
export function setupPlugins(exports: Record<string, unknown>, href: string): HostPlugin[] {
  const p = exports.plugins;
  if (p === undefined) return [];
  if (!Array.isArray(p))
    throw new ConfigError(`executorSetup ${href}: export plugins`, 'an array of plugins', p);
  return p.map((x, i) => checkPlugin(x, `executorSetup ${href}: plugins[${i}]`));
}
