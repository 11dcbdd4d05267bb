/**
 * The plugins every host starts with (kernel/hooks.ts), in the order their
 * hooks run: retry first (it takes a failed message back before anything
 * else sees the failure), supervision before deadlock in the failure chain,
 * and whatever the caller adds last (an executor's link and placement, a
 * dead-letter log). The in-thread system and each executor build theirs with
 * this, so a host behaves the same in both modes.
 */

import type { ResolvedDeadlockOptions } from '../features/deadlock/options.ts';
import { DeadlockPlugin } from '../features/deadlock/plugin.ts';
import { retryPlugin } from '../features/retry/plugin.ts';
import { KillReports } from '../features/shutdown/kills.ts';
import { supervisionPlugin } from '../features/supervision/plugin.ts';
import type { HostPlugin } from '../kernel/host.ts';
import type { DeadLetterHook } from '../kernel/log/dead-letters.ts';

export interface FeaturePlugins {
  /** In hook order; one host's own (the deadlock runtime and the kill listeners are per host). */
  readonly list: readonly HostPlugin[];
  readonly deadlock: DeadlockPlugin;
  readonly kills: KillReports;
}

export function featurePlugins(deadlock: ResolvedDeadlockOptions): FeaturePlugins {
  const dl = new DeadlockPlugin(deadlock);
  const kills = new KillReports();
  return { list: [retryPlugin, supervisionPlugin, dl, kills], deadlock: dl, kills };
}

/** The dead-letter log (kernel/log/dead-letters.ts) as a plugin; none when logging is off. */
export function deadLetterLogPlugin(hook: DeadLetterHook | null): HostPlugin[] {
  if (hook === null) return [];
  return [{ name: 'dead-letter-log', install: (api) => api.onDeadLetter(hook) }];
}
