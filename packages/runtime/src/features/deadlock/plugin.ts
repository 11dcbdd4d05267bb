/**
 * Deadlock handling as a plugin: the wait-for graph, strategies, reentrancy,
 * ask hierarchy and stall watch (runtime.ts) over kernel hooks.
 *
 * The runtime is created only when something needs it: a system strategy
 * other than `timeout-only` (or stall thresholds, or reentrancy), a definition
 * with `deadlock` or `rank`, or an ask with `reentrant: true`. Until then each
 * hook is one call that finds nothing to do, and asks take the kernel's plain
 * path.
 *
 * Hooks: the ask interceptor (edges, hierarchy, call chains), onAwait /
 * onSettled (held edges go live; stall watch), onGone (an actor's edges
 * leave), onRemoteAsk (call chains across threads), the failure chain (a
 * deadlock victim restarts with reason `deadlock`), and `deadlock.withdraw`
 * (a queued ask withdrawn on its target's executor, forwarder.ts).
 */
import type { ActorCell } from '../../kernel/cell.ts';
import { isDeadlockError } from '../../kernel/errors.ts';
import type { KernelApi } from '../../kernel/hooks.ts';
import type { Host, HostPlugin } from '../../kernel/host.ts';
import { withdrawQueued } from './forwarder.ts';
import { deadlockWanted, type ResolvedDeadlockOptions } from './options.ts';
import { DeadlockRuntime } from './runtime.ts';
import type { WaitForGraphSnapshot } from './wait-for-graph.ts';

/** Withdraw a queued ask deadlock resolution fails (payload: [asker's node, its exported ask id]). */
export const WITHDRAW = 'deadlock.withdraw';

export class DeadlockPlugin implements HostPlugin {
  readonly name = 'deadlock';
  /** The host's runtime, once something needed it (module header). */
  runtime: DeadlockRuntime | null = null;
  private host: Host | null = null;

  constructor(private readonly options: ResolvedDeadlockOptions) {}

  private need(): DeadlockRuntime {
    return (this.runtime ??= new DeadlockRuntime(this.host!, this.options));
  }

  /** Who waits on whom in this host (empty while no runtime exists). */
  waitForGraph(): WaitForGraphSnapshot {
    return this.runtime?.waitForGraph() ?? { nodes: [], edges: [] };
  }

  install(api: KernelApi<ActorCell, Host>): void {
    this.host = api.host;
    if (deadlockWanted(this.options)) this.need();
    // Per-definition strategies, ranks and reentrancy need the runtime even when the system's is off.
    api.onDefine((def) => {
      if (def.deadlock !== undefined || def.rank !== undefined) this.need();
    });
    api.interceptAsk((ref, msg, timeoutMs, options, sender) => {
      if (options?.reentrant === true) this.need();
      return this.runtime?.ask(ref, msg, timeoutMs, options, sender);
    });
    api.onAwait((cell, msg) => this.runtime?.onAwait(cell, msg));
    api.onSettled((cell) => this.runtime?.onHandlerDone(cell));
    api.onGone((cell) => this.runtime?.onActorGone(cell));
    api.onRemoteAsk((cell, a) => this.runtime?.remoteAsk(cell, a));
    api.onFailure((cell, error, phase) => {
      if (phase !== 'receive' || !isDeadlockError(error)) return false;
      cell.restart('deadlock');
      return true;
    });
    api.onExt(WITHDRAW, {
      at: 'arrival',
      apply(cell, payload, ack) {
        const [node, askId] = payload as [number, number];
        withdrawQueued(cell.host, cell, node, askId);
        ack?.resolve(undefined);
      },
    });
  }
}
