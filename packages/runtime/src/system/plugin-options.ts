/**
 * Plugins a user gives the system (kernel/hooks.ts): `plugins` join the main
 * thread's host, after the runtime's own features; `executorSetup` names
 * modules each executor thread imports before anything else — a plugin is an
 * object with functions and cannot cross threads, and what a module
 * registers (an OpenTelemetry provider) is per thread. A setup module's
 * `plugins` export, if it has one, joins that executor's host.
 */
import { actorsModuleHref } from '../executors/actors-module.ts';
import { checkPlugin } from '../executors/setup-modules.ts';
import { ConfigError } from '../kernel/errors.ts';
import type { HostPlugin } from '../kernel/host.ts';

export interface PluginOptions {
  /** Plugins of the main thread's host (in-thread: of every actor), installed after the runtime's features. */
  readonly plugins?: readonly HostPlugin[];
  /**
   * Modules (a URL or an absolute path) each executor imports first, in order; a module's
   * `plugins` export (an array of plugins) joins that executor's host. Unused with `executors: 0`.
   */
  readonly executorSetup?: URL | string | readonly (URL | string)[];
}

export interface ResolvedPlugins {
  readonly plugins: readonly HostPlugin[];
  /** hrefs, in order. */
  readonly executorSetup: readonly string[];
}

export const PLUGIN_KEYS = ['plugins', 'executorSetup'];

export function resolvePlugins(o: PluginOptions): ResolvedPlugins {
  const plugins = o.plugins ?? [];
  if (!Array.isArray(plugins)) throw new ConfigError('options.plugins', 'an array of plugins', plugins);
  for (const [i, p] of plugins.entries()) checkPlugin(p, `options.plugins[${i}]`);
  const setup = o.executorSetup ?? [];
  const list: readonly unknown[] = Array.isArray(setup) ? setup : [setup];
  const executorSetup = list.map((m, i) => {
    const where = Array.isArray(setup) ? `options.executorSetup[${i}]` : 'options.executorSetup';
    if (!(m instanceof URL) && typeof m !== 'string')
      throw new ConfigError(where, 'a URL or an absolute path of a module', m);
    try {
      return actorsModuleHref(m);
    } catch (e) {
      throw e instanceof ConfigError ? new ConfigError(where, e.context.expected, m) : e;
    }
  });
  return { plugins: [...plugins], executorSetup };
}
