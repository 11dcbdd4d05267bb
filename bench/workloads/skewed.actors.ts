/**
 * Skewed load: one spawner creates every worker as its own child, so with
 * the default `'local'` placement all of them start on the spawner's
 * executor; the other executors get work only by stealing. Each message is
 * a slice of numerical integration (~0.1 ms), each worker reports its total.
 */
import { type ActorRef, defineActor } from '@troupe/runtime';
import type { JoinMsg } from './common.actors.ts';
import { area } from './trapezoid.task.ts';

export { Join } from './common.actors.ts';

export type SliceMsg = { readonly type: 'slice'; readonly pieces: number; readonly last: boolean };

export const SkewWorker = defineActor('bench.skewed.worker', {
  init: (props: { join: ActorRef<JoinMsg> }) => ({ join: props.join, acc: 0, n: 0 }),
  receive(s, msg: SliceMsg) {
    s.acc += area(1, 2, 1 / msg.pieces);
    s.n++;
    if (msg.last) s.join.tell({ type: 'add', value: s.n });
    return s;
  },
});

export type SkewSpawnerMsg = {
  readonly type: 'run';
  readonly workers: number;
  readonly messages: number;
  readonly pieces: number;
  readonly join: ActorRef<JoinMsg>;
};

export const SkewSpawner = defineActor('bench.skewed.spawner', {
  init: () => 0,
  receive(s: number, msg: SkewSpawnerMsg, ctx) {
    const slice: SliceMsg = { type: 'slice', pieces: msg.pieces, last: false };
    const last: SliceMsg = { type: 'slice', pieces: msg.pieces, last: true };
    const ws = [];
    for (let i = 0; i < msg.workers; i++) ws.push(ctx.spawn(SkewWorker, { join: msg.join }));
    for (let m = 0; m < msg.messages; m++) for (const w of ws) w.tell(m === msg.messages - 1 ? last : slice);
    return s + 1;
  },
});
