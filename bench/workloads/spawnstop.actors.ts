/**
 * Spawn + stop: an actor's cheapest whole life. The spawner creates N idle
 * children and stops each at once; it answers `result` once it has done so.
 * The run ends when the system counts no live actor besides the spawner.
 */
import { defineActor } from '@troupe/runtime';
import type { RESULT } from './common.actors.ts';
import { Idle } from './idle.actors.ts';

export { Idle } from './idle.actors.ts';

export type SpawnerMsg = { readonly type: 'run'; readonly n: number } | typeof RESULT;

export const Spawner = defineActor('bench.spawnstop.spawner', {
  init: () => ({ n: -1 }),
  receive(s, msg: SpawnerMsg, ctx) {
    if (msg.type === 'run') {
      for (let i = 0; i < msg.n; i++) ctx.stop(ctx.spawn(Idle, undefined));
      s.n = msg.n;
    } else ctx.reply(s.n >= 0 ? s.n : undefined);
    return s;
  },
});
