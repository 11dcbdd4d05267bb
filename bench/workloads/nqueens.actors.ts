/** Savina NQueens (fan-out form): each message is a board prefix; the worker counts its solutions. */
import { type ActorRef, defineActor } from '@troupe/runtime';
import type { JoinMsg } from './common.actors.ts';
import { solveFrom } from './nqueens.task.ts';

export { Join } from './common.actors.ts';

export type BoardMsg = {
  readonly type: 'board';
  readonly n: number;
  readonly prefix: number[];
  readonly join: ActorRef<JoinMsg>;
};

export const QueensWorker = defineActor('bench.nqueens.worker', {
  init: () => 0,
  receive(s: number, msg: BoardMsg) {
    msg.join.tell({ type: 'add', value: solveFrom(msg.n, msg.prefix) });
    return s + 1;
  },
});
