/**
 * Counting (Savina, N = 1,000,000): one actor receiving a stream of messages
 * as fast as it can — the mailbox and dispatch cost per message.
 * Peers: xstate v5 (a machine with `assign`, and the lighter `fromTransition`),
 * Erlang processes, and the limits — a direct loop calling the handler, and
 * for the 2-executor mode raw batched postMessage between two threads.
 */
import { assign, createActor, fromTransition, setup } from 'xstate';
import { erlangContenders } from '../lib/erlang-contender.ts';
import { rawPostContender } from '../lib/raw-post.ts';
import { troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, timed, type Workload } from '../lib/types.ts';
import { Counter, INC, Producer } from './counting.actors.ts';

interface P {
  n: number;
}

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const counter = await spawn(Counter, undefined);
    const producer = await spawn(Producer, undefined);
    const t0 = performance.now();
    const n = await producer.ask<number>({ type: 'run', counter, n: p.n }, { timeoutMs: 600_000 });
    const ms = performance.now() - t0;
    check('counting', 'troupe', p.n, n);
    return ms;
  });
}

const X_INC = { type: 'inc' } as const;

const xMachine = setup({ types: { context: {} as { n: number }, events: {} as typeof X_INC } }).createMachine(
  {
    context: { n: 0 },
    on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
  },
);

const xTransition = fromTransition((n: number, _e: typeof X_INC) => n + 1, 0);

async function xstate(p: P, logic: typeof xMachine | typeof xTransition): Promise<number> {
  const a = createActor(logic as typeof xMachine).start();
  const ms = await timed(() => {
    for (let i = 0; i < p.n; i++) a.send(X_INC);
  });
  const snap = a.getSnapshot() as { context: unknown };
  const n = logic === xMachine ? (snap.context as { n: number }).n : (snap.context as number);
  check('counting', 'xstate', p.n, n);
  a.stop();
  return ms;
}

/** The handler called directly in a loop: no mailbox, no scheduling. */
async function limit(p: P): Promise<number> {
  const receive = (n: number, msg: typeof INC) => (msg.type === 'inc' ? n + 1 : n);
  let n = 0;
  const ms = await timed(() => {
    for (let i = 0; i < p.n; i++) n = receive(n, INC);
  });
  check('counting', 'limit', p.n, n);
  return ms;
}

export const counting: Workload<P> = {
  name: 'counting',
  title: 'Counting',
  unit: 'msgs',
  params: (quick) => ({ n: quick ? 5_000 : 1_000_000 }),
  describe: (p) => `${p.n.toLocaleString('en-US')} messages to one actor`,
  units: (p) => p.n,
  contenders(p, ctx: SuiteContext): Contender[] {
    const out = troupeContenders(ctx, (e) => troupe(p, e));
    out.push({ system: 'xstate', mode: 'machine', run: () => xstate(p, xMachine) });
    out.push({ system: 'xstate', mode: 'fromTransition', run: () => xstate(p, xTransition) });
    out.push(...erlangContenders(ctx, 'counting', [p.n], p.n));
    out.push({ system: 'limit', mode: 'handler-call loop', run: () => limit(p) });
    // The cross-thread floor beside "2 executors" (producer and counter on different threads).
    if (ctx.executorModes.includes(2))
      out.push(rawPostContender(p.n, 'clone'), rawPostContender(p.n, 'msgpackr'));
    return out;
  },
};
