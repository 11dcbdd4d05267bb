/**
 * Savina Fork-Join create: a creator spawns N actors and sends each one
 * message; each does one unit of arithmetic, reports to the join and stops.
 * Spawning happens inside an actor (`ctx.spawn`, synchronous), so no promise
 * per actor and the same code runs on an executor.
 */
import { type ActorRef, defineActor } from '@troupe/runtime';
import type { JoinMsg } from './common.actors.ts';
import { performComputation } from './compute.ts';

export { Join } from './common.actors.ts';

export type WorkMsg = { readonly type: 'work'; readonly join: ActorRef<JoinMsg> };
const DONE = Object.freeze({ type: 'add' as const, value: 1 });

export const FjWorker = defineActor('bench.fjcreate.worker', {
  init: () => 0,
  receive(s: number, msg: WorkMsg, ctx) {
    if (performComputation(37.2) > 0) msg.join.tell(DONE);
    ctx.stop();
    return s;
  },
});

export type CreatorMsg = { readonly type: 'run'; readonly n: number; readonly join: ActorRef<JoinMsg> };

export const Creator = defineActor('bench.fjcreate.creator', {
  init: () => 0,
  receive(s: number, msg: CreatorMsg, ctx) {
    const work: WorkMsg = { type: 'work', join: msg.join };
    for (let i = 0; i < msg.n; i++) ctx.spawn(FjWorker, undefined).tell(work);
    return s;
  },
});
