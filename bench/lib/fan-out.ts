/**
 * Troupe's side of the compute-bound fan-outs (NQueens, Trapezoid). Protocol:
 * 1. Spawn a `Join` expecting one report per work item, and `workers` workers
 *    (outside the timing).
 * 2. Build every work message up front (each carries the join's ref), so the
 *    timed region holds only the sends and the wait.
 * 3. Timed: hand the messages to the workers round robin, then poll the join
 *    until every report arrived.
 * 4. `verify` checks the join's sum inside the run, before its actors stop.
 */
import type { ActorDefinition, ActorRef } from '@troupe/runtime';
import { Join, type JoinMsg, type JoinResult } from '../workloads/common.actors.ts';
import { pollResult, withSystem } from './troupe.ts';

export async function troupeFanOut<M, T>(
  executors: number,
  worker: ActorDefinition<any, M, undefined>,
  workers: number,
  items: readonly T[],
  message: (item: T, join: ActorRef<JoinMsg>) => M,
  verify: (sum: number) => void,
): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const join = await spawn(Join, { expect: items.length });
    const refs: ActorRef<M>[] = [];
    for (let i = 0; i < workers; i++) refs.push(await spawn(worker, undefined));
    const msgs = items.map((item) => message(item, join));
    const t0 = performance.now();
    for (let i = 0; i < msgs.length; i++) refs[i % workers]!.tell(msgs[i]!);
    const r = await pollResult<JoinResult>(join, executors);
    const ms = performance.now() - t0;
    verify(r.sum);
    return ms;
  });
}
