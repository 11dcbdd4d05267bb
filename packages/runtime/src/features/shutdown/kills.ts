/**
 * Who `kill()` took down: shutdown reports every actor it forced (phases.ts),
 * and an executor answers a kill request with the actors it killed. Both
 * listen here; the plugin hears every kill on its host through the kernel's
 * `onKilled` hook, whoever killed (shutdown, a supervisor's shutdownMs).
 */
import type { ActorCell } from '../../kernel/cell.ts';
import type { KernelApi, OnStopFate } from '../../kernel/hooks.ts';
import type { Host, HostPlugin } from '../../kernel/host.ts';

export type KillListener = (cell: ActorCell, onStop: OnStopFate) => void;

export class KillReports implements HostPlugin {
  readonly name = 'shutdown.kills';
  private readonly listeners = new Set<KillListener>();

  install(api: KernelApi<ActorCell, Host>): void {
    api.onKilled((cell, onStop) => {
      for (const l of this.listeners) l(cell, onStop);
    });
  }

  /** Hears every kill from now on; the returned function stops it. */
  listen(l: KillListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
