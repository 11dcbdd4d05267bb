/**
 * What an executor's host adds to the features' hooks (executor.ts): the
 * restart circuit breaker refuses spawns of quarantined definitions
 * (recovery.ts step 5), and a spawn asking for a placement other than
 * `'local'` moves the new actor there at once (placement.ts). The task pools'
 * worker definition is built in (features/pool/worker.ts): a threaded
 * `system.pool` needs nothing in the actors module.
 */

import { PoolWorker } from '../features/pool/worker.ts';
import type { ActorCell } from '../kernel/cell.ts';
import { ActorStoppedError } from '../kernel/errors.ts';
import type { HostPlugin } from '../kernel/host.ts';
import type { Placement } from '../kernel/spawn-options.ts';

export function executorPlugin(
  /** Definitions whose spawns are refused; the breaker adds to it as it opens. */
  refused: ReadonlySet<string>,
  place: (cell: ActorCell, placement: Placement) => void,
): HostPlugin {
  return {
    name: 'executors.executor',
    install(api) {
      api.host.register(PoolWorker, 'builtin');
      api.beforeSpawn((def) => {
        if (refused.size > 0 && refused.has(def.name))
          throw new ActorStoppedError({ id: 0, def: def.name }, 'circuit-open');
      });
      api.onSpawn((cell, spawn) => {
        const p = spawn.placement;
        if (p !== undefined && p !== 'local') place(cell, p);
      });
    },
  };
}
