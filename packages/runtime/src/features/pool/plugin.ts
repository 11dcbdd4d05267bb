/**
 * The pool's worker definition is built in: every host knows it from its
 * start, so a threaded `system.pool` needs nothing in the actors module and
 * an executor can spawn or adopt a pool worker like any actor.
 */
import type { HostPlugin } from '../../kernel/host.ts';
import { PoolWorker } from './worker.ts';

export const poolPlugin: HostPlugin = {
  name: 'pool',
  install: (api) => api.host.register(PoolWorker, 'builtin'),
};
