/**
 * Fork-Join create (Savina, 40,000 actors): the cost of an actor's whole
 * life — spawn, one message, stop.
 * Peers: xstate v5 (createActor → send → final state) and Erlang (spawn,
 * send, exit).
 */
import { createActor, sendTo, setup } from 'xstate';
import { erlangContenders } from '../lib/erlang-contender.ts';
import { pollResult, troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, timed, type Workload } from '../lib/types.ts';
import { Join, type JoinResult } from './common.actors.ts';
import { performComputation } from './compute.ts';
import { Creator } from './fjcreate.actors.ts';

interface P {
  n: number;
}

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const join = await spawn(Join, { expect: p.n });
    const creator = await spawn(Creator, undefined);
    const t0 = performance.now();
    creator.tell({ type: 'run', n: p.n, join });
    const r = await pollResult<JoinResult>(join, executors);
    const ms = performance.now() - t0;
    check('fjcreate', 'troupe', p.n, r.count);
    return ms;
  });
}

const X_ADD = { type: 'add' } as const;
const X_WORK = { type: 'work' } as const;

const xJoin = setup({
  types: { context: {} as { count: number }, events: {} as typeof X_ADD },
}).createMachine({
  context: () => ({ count: 0 }),
  on: { add: { actions: ({ context }) => void context.count++ } },
});

const xWorker = setup({ types: { input: {} as { join: any }, context: {} as { join: any } } }).createMachine({
  context: ({ input }) => ({ join: input.join }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        work: {
          target: 'done',
          guard: () => performComputation(37.2) > 0,
          actions: sendTo(({ context }) => context.join, X_ADD),
        },
      },
    },
    done: { type: 'final' },
  },
});

async function xstate(p: P): Promise<number> {
  const join = createActor(xJoin).start();
  const input = { input: { join } };
  const ms = await timed(() => {
    for (let i = 0; i < p.n; i++) createActor(xWorker, input).start().send(X_WORK);
  });
  check('fjcreate', 'xstate', p.n, join.getSnapshot().context.count);
  join.stop();
  return ms;
}

export const fjcreate: Workload<P> = {
  name: 'fjcreate',
  title: 'Fork-Join create',
  unit: 'actors',
  params: (quick) => ({ n: quick ? 500 : 40_000 }),
  describe: (p) => `${p.n.toLocaleString('en-US')} actors`,
  units: (p) => p.n,
  contenders(p, ctx: SuiteContext): Contender[] {
    const out = troupeContenders(ctx, (e) => troupe(p, e));
    out.push({ system: 'xstate', mode: 'machine', run: () => xstate(p) });
    out.push(...erlangContenders(ctx, 'fjcreate', [p.n], p.n));
    return out;
  },
};
