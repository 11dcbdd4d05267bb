/** Savina Trapezoid: each worker integrates its slice and reports the area to the join. */
import { type ActorRef, defineActor } from '@troupe/runtime';
import type { JoinMsg } from './common.actors.ts';
import { area } from './trapezoid.task.ts';

export { Join } from './common.actors.ts';

export type SliceMsg = {
  readonly type: 'slice';
  readonly l: number;
  readonly r: number;
  readonly h: number;
  readonly join: ActorRef<JoinMsg>;
};

export const TrapezoidWorker = defineActor('bench.trapezoid.worker', {
  init: () => 0,
  receive(s: number, msg: SliceMsg) {
    msg.join.tell({ type: 'add', value: area(msg.l, msg.r, msg.h) });
    return s + 1;
  },
});
