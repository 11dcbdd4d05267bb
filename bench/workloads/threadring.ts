/**
 * ThreadRing (Savina, 100 actors, 100,000 hops): one token around a ring —
 * message passing where each hop goes to a different actor, so the run queue
 * and the hand-over between actors dominate.
 * Peers: xstate v5 machine actors, Erlang processes, and the limit — one
 * preallocated run queue of (actor, token) turned by a loop.
 */
import type { ActorRef } from '@troupe/runtime';
import { createActor, sendTo, setup } from 'xstate';
import { erlangContenders } from '../lib/erlang-contender.ts';
import { pollResult, troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, timed, type Workload } from '../lib/types.ts';
import { Join, type JoinResult } from './common.actors.ts';
import { type RingMsg, RingNode } from './threadring.actors.ts';

interface P {
  actors: number;
  hops: number;
}

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const join = await spawn(Join, { expect: 1 });
    const nodes: ActorRef<RingMsg>[] = [];
    for (let i = 0; i < p.actors; i++) nodes.push(await spawn(RingNode, { index: i }));
    await Promise.all(
      nodes.map((n, i) => n.ask({ type: 'link', next: nodes[(i + 1) % p.actors]!, join } satisfies RingMsg)),
    );
    const t0 = performance.now();
    nodes[0]!.tell({ type: 'token', n: p.hops });
    const r = await pollResult<JoinResult>(join, executors);
    const ms = performance.now() - t0;
    check('threadring', 'troupe', p.hops % p.actors, r.sum);
    return ms;
  });
}

type XToken = { type: 'token'; n: number };
type XLink = { type: 'link'; next: any; done: (index: number) => void };

const xNode = setup({
  types: {
    context: {} as { index: number; next: any; done: ((i: number) => void) | null },
    input: {} as { index: number },
    events: {} as XToken | XLink,
  },
}).createMachine({
  context: ({ input }) => ({ index: input.index, next: null, done: null }),
  on: {
    link: {
      actions: ({ context, event }) => {
        context.next = (event as XLink).next;
        context.done = (event as XLink).done;
      },
    },
    token: [
      {
        guard: ({ event }) => (event as XToken).n === 0,
        actions: ({ context }) => context.done!(context.index),
      },
      {
        actions: sendTo(
          ({ context }) => context.next,
          ({ event }) => ({ type: 'token', n: (event as XToken).n - 1 }),
        ),
      },
    ],
  },
});

async function xstate(p: P): Promise<number> {
  let winner = -1;
  const done = (i: number) => {
    winner = i;
  };
  const nodes = Array.from({ length: p.actors }, (_, i) =>
    createActor(xNode, { input: { index: i } }).start(),
  );
  for (let i = 0; i < p.actors; i++) nodes[i]!.send({ type: 'link', next: nodes[(i + 1) % p.actors], done });
  const ms = await timed(() => nodes[0]!.send({ type: 'token', n: p.hops }));
  check('threadring', 'xstate', p.hops % p.actors, winner);
  for (const a of nodes) a.stop();
  return ms;
}

/** A ring of handler functions and a preallocated run queue of (actor index, token). */
async function limit(p: P): Promise<number> {
  const cap = 1024;
  const qActor = new Int32Array(cap);
  const qToken = new Float64Array(cap);
  let head = 0;
  let tail = 0;
  let winner = -1;
  const handler = (index: number, n: number) => {
    if (n === 0) winner = index;
    else {
      qActor[tail & (cap - 1)] = (index + 1) % p.actors;
      qToken[tail++ & (cap - 1)] = n - 1;
    }
  };
  const ms = await timed(() => {
    qActor[0] = 0;
    qToken[tail++] = p.hops;
    while (head !== tail) {
      const i = head++ & (cap - 1);
      handler(qActor[i]!, qToken[i]!);
    }
  });
  check('threadring', 'limit', p.hops % p.actors, winner);
  return ms;
}

export const threadring: Workload<P> = {
  name: 'threadring',
  title: 'ThreadRing',
  unit: 'msgs',
  params: (quick) => (quick ? { actors: 10, hops: 1_000 } : { actors: 100, hops: 100_000 }),
  describe: (p) => `${p.actors} actors, ${p.hops.toLocaleString('en-US')} hops`,
  units: (p) => p.hops,
  contenders(p, ctx: SuiteContext): Contender[] {
    const out = troupeContenders(ctx, (e) => troupe(p, e));
    out.push({ system: 'xstate', mode: 'machine', run: () => xstate(p) });
    out.push(...erlangContenders(ctx, 'threadring', [p.actors, p.hops], p.hops % p.actors));
    out.push({ system: 'limit', mode: 'run-queue loop', run: () => limit(p) });
    return out;
  },
};
