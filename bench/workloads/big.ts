/**
 * Big (Savina, 120 actors, 20,000 pings each): many-to-many messaging among
 * a crowd of actors. Throughput counts pings and pongs (2 · actors · pings).
 * Peers: xstate v5 machine actors and Erlang processes, same MINSTD choices.
 */
import { createActor, sendTo, setup } from 'xstate';
import { erlangContenders } from '../lib/erlang-contender.ts';
import { pollResult, troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, timed, type Workload } from '../lib/types.ts';
import { type BigMsg, BigNode } from './big.actors.ts';
import { Join, type JoinResult } from './common.actors.ts';
import { minstd } from './compute.ts';

interface P {
  actors: number;
  pings: number;
}

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const join = await spawn(Join, { expect: p.actors });
    const peers = [];
    for (let i = 0; i < p.actors; i++) peers.push(await spawn(BigNode, { index: i }));
    const start: BigMsg = { type: 'start', peers, n: p.pings, join };
    const t0 = performance.now();
    for (const a of peers) a.tell(start);
    const r = await pollResult<JoinResult>(join, executors);
    const ms = performance.now() - t0;
    check('big', 'troupe', p.actors * p.pings, r.sum);
    return ms;
  });
}

type XPing = { type: 'ping'; from: any };
type XEvent =
  | XPing
  | { type: 'pong' }
  | { type: 'start'; peers: any[]; n: number; done: (pongs: number) => void };
const X_PONG = { type: 'pong' } as const;

interface XCtx {
  seed: number;
  peers: any[];
  n: number;
  sent: number;
  pongs: number;
  done: (pongs: number) => void;
  ping: XPing;
}

const xNode = setup({
  types: { context: {} as XCtx, input: {} as { index: number }, events: {} as XEvent },
  actions: {
    pingNext: sendTo(
      ({ context }) => {
        context.seed = minstd(context.seed);
        context.sent++;
        return context.peers[context.seed % context.peers.length];
      },
      ({ context }) => context.ping,
    ),
  },
}).createMachine({
  context: ({ input, self }) => ({
    seed: input.index + 1,
    peers: [],
    n: 0,
    sent: 0,
    pongs: 0,
    done: () => {},
    ping: { type: 'ping', from: self },
  }),
  on: {
    ping: { actions: sendTo(({ event }) => (event as XPing).from, X_PONG) },
    pong: [
      {
        guard: ({ context }) => context.sent === context.n,
        actions: ({ context }) => context.done(++context.pongs),
      },
      { actions: [({ context }) => void context.pongs++, 'pingNext'] },
    ],
    start: {
      actions: [
        ({ context, event }) => {
          const e = event as Extract<XEvent, { type: 'start' }>;
          context.peers = e.peers;
          context.n = e.n;
          context.done = e.done;
        },
        'pingNext',
      ],
    },
  },
});

async function xstate(p: P): Promise<number> {
  let total = 0;
  const done = (pongs: number) => {
    total += pongs;
  };
  const peers = Array.from({ length: p.actors }, (_, i) =>
    createActor(xNode, { input: { index: i } }).start(),
  );
  const start = { type: 'start' as const, peers, n: p.pings, done };
  const ms = await timed(() => {
    for (const a of peers) a.send(start);
  });
  check('big', 'xstate', p.actors * p.pings, total);
  for (const a of peers) a.stop();
  return ms;
}

export const big: Workload<P> = {
  name: 'big',
  title: 'Big',
  unit: 'msgs',
  params: (quick) => (quick ? { actors: 10, pings: 100 } : { actors: 120, pings: 20_000 }),
  describe: (p) => `${p.actors} actors, ${p.pings.toLocaleString('en-US')} pings each`,
  units: (p) => 2 * p.actors * p.pings,
  contenders(p, ctx: SuiteContext): Contender[] {
    const out = troupeContenders(ctx, (e) => troupe(p, e));
    out.push({ system: 'xstate', mode: 'machine', run: () => xstate(p) });
    out.push(...erlangContenders(ctx, 'big', [p.actors, p.pings], p.actors * p.pings));
    return out;
  },
};
