/**
 * Savina Fork-Join throughput: a feeder sends N messages to each of A
 * workers (round robin); each message is one unit of arithmetic; a worker
 * reports its count to the join after its N-th message.
 */
import { type ActorRef, defineActor } from '@troupe/runtime';
import type { JoinMsg } from './common.actors.ts';
import { performComputation } from './compute.ts';

export { Join } from './common.actors.ts';

export type FjMsg = { readonly type: 'work'; readonly n: number; readonly join: ActorRef<JoinMsg> };

export const FjtWorker = defineActor('bench.fjthroughput.worker', {
  init: () => ({ count: 0, acc: 0 }),
  receive(s, msg: FjMsg) {
    s.acc += performComputation(37.2);
    if (++s.count === msg.n && s.acc > 0) msg.join.tell({ type: 'add', value: s.count });
    return s;
  },
});

export type FeederMsg = { readonly type: 'run'; readonly workers: ActorRef<FjMsg>[]; readonly work: FjMsg };

export const Feeder = defineActor('bench.fjthroughput.feeder', {
  init: () => 0,
  receive(s: number, msg: FeederMsg) {
    const { workers, work } = msg;
    for (let i = 0; i < work.n; i++) for (let k = 0; k < workers.length; k++) workers[k]!.tell(work);
    return s;
  },
});
