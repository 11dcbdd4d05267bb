/**
 * Fork-Join throughput (Savina, 60 actors, 10,000 messages each): message
 * throughput spread over many actors, each doing a little arithmetic.
 * Peers: xstate v5 machine actors and Erlang processes.
 */
import { createActor, setup } from 'xstate';
import { erlangContenders } from '../lib/erlang-contender.ts';
import { pollResult, troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, timed, type Workload } from '../lib/types.ts';
import { Join, type JoinResult } from './common.actors.ts';
import { performComputation } from './compute.ts';
import { Feeder, type FjMsg, FjtWorker } from './fjthroughput.actors.ts';

interface P {
  actors: number;
  messages: number;
}

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const join = await spawn(Join, { expect: p.actors });
    const workers = [];
    for (let i = 0; i < p.actors; i++) workers.push(await spawn(FjtWorker, undefined));
    const feeder = await spawn(Feeder, undefined);
    const work: FjMsg = { type: 'work', n: p.messages, join };
    const t0 = performance.now();
    feeder.tell({ type: 'run', workers, work });
    const r = await pollResult<JoinResult>(join, executors);
    const ms = performance.now() - t0;
    check('fjthroughput', 'troupe', p.actors * p.messages, r.sum);
    return ms;
  });
}

const X_WORK = { type: 'work' } as const;
const xWorker = setup({
  types: { context: {} as { count: number; acc: number }, events: {} as typeof X_WORK },
}).createMachine({
  context: () => ({ count: 0, acc: 0 }),
  on: {
    work: {
      actions: ({ context }) => {
        context.acc += performComputation(37.2);
        context.count++;
      },
    },
  },
});

async function xstate(p: P): Promise<number> {
  const workers = Array.from({ length: p.actors }, () => createActor(xWorker).start());
  const ms = await timed(() => {
    for (let i = 0; i < p.messages; i++) for (let k = 0; k < workers.length; k++) workers[k]!.send(X_WORK);
  });
  let total = 0;
  for (const w of workers) {
    total += w.getSnapshot().context.count;
    w.stop();
  }
  check('fjthroughput', 'xstate', p.actors * p.messages, total);
  return ms;
}

export const fjthroughput: Workload<P> = {
  name: 'fjthroughput',
  title: 'Fork-Join throughput',
  unit: 'msgs',
  params: (quick) => (quick ? { actors: 10, messages: 200 } : { actors: 60, messages: 10_000 }),
  describe: (p) => `${p.actors} actors, ${p.messages.toLocaleString('en-US')} messages each`,
  units: (p) => p.actors * p.messages,
  contenders(p, ctx: SuiteContext): Contender[] {
    const out = troupeContenders(ctx, (e) => troupe(p, e));
    out.push({ system: 'xstate', mode: 'machine', run: () => xstate(p) });
    out.push(...erlangContenders(ctx, 'fjthroughput', [p.actors, p.messages], p.actors * p.messages));
    return out;
  },
};
