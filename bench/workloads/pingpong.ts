/**
 * PingPong (Savina, N = 40,000 round trips): the latency of one message hop.
 * Throughput counts both directions (2N messages).
 * Peers: xstate v5 machine actors, Erlang processes, and the limit — two
 * preallocated queues handed back and forth by a loop.
 */
import { createActor, sendTo, setup } from 'xstate';
import { erlangContenders } from '../lib/erlang-contender.ts';
import { pollResult, troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, timed, type Workload } from '../lib/types.ts';
import { Ping, Pong } from './pingpong.actors.ts';

interface P {
  n: number;
}

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const pong = await spawn(Pong, undefined);
    const ping = await spawn(Ping, undefined);
    const t0 = performance.now();
    ping.tell({ type: 'start', pong, n: p.n });
    const pongs = await pollResult<number>(ping, executors);
    const ms = performance.now() - t0;
    check('pingpong', 'troupe', p.n, pongs);
    return ms;
  });
}

type XPing = { type: 'ping'; from: any };
type XEvent = XPing | { type: 'pong' } | { type: 'start' };

const xPong = setup({ types: { events: {} as XEvent } }).createMachine({
  on: { ping: { actions: sendTo(({ event }) => (event as XPing).from, { type: 'pong' }) } },
});

const xPing = setup({
  types: {
    context: {} as { left: number; pongs: number; pong: any; ping: XPing },
    input: {} as { n: number; pong: any },
    events: {} as XEvent,
  },
}).createMachine({
  context: ({ input, self }) => ({
    left: input.n,
    pongs: 0,
    pong: input.pong,
    ping: { type: 'ping', from: self },
  }),
  on: {
    start: {
      actions: [
        ({ context }) => void context.left--,
        sendTo(
          ({ context }) => context.pong,
          ({ context }) => context.ping,
        ),
      ],
    },
    pong: [
      {
        guard: ({ context }) => context.left > 0,
        actions: [
          ({ context }) => {
            context.pongs++;
            context.left--;
          },
          sendTo(
            ({ context }) => context.pong,
            ({ context }) => context.ping,
          ),
        ],
      },
      { actions: ({ context }) => void context.pongs++ },
    ],
  },
});

async function xstate(p: P): Promise<number> {
  const pong = createActor(xPong).start();
  const ping = createActor(xPing, { input: { n: p.n, pong } }).start();
  const ms = await timed(() => ping.send({ type: 'start' }));
  check('pingpong', 'xstate', p.n, ping.getSnapshot().context.pongs);
  ping.stop();
  pong.stop();
  return ms;
}

/** Two preallocated ring buffers; a loop moves each message to its handler and the reply to the other queue. */
async function limit(p: P): Promise<number> {
  const cap = 1024;
  const qa = new Array<object>(cap).fill(PING_L);
  const qb = new Array<object>(cap).fill(PING_L);
  let ha = 0;
  let ta = 0;
  let hb = 0;
  let tb = 0;
  let left = p.n;
  let pongs = 0;
  const ms = await timed(() => {
    qb[tb++ & (cap - 1)] = PING_L; // start: the first ping to pong
    left--;
    while (ha !== ta || hb !== tb) {
      if (hb !== tb) {
        if (qb[hb++ & (cap - 1)] === PING_L) qa[ta++ & (cap - 1)] = PONG_L;
      }
      if (ha !== ta) {
        if (qa[ha++ & (cap - 1)] === PONG_L) pongs++;
        if (left > 0) {
          left--;
          qb[tb++ & (cap - 1)] = PING_L;
        }
      }
    }
  });
  check('pingpong', 'limit', p.n, pongs);
  return ms;
}
const PING_L = { type: 'ping' };
const PONG_L = { type: 'pong' };

export const pingpong: Workload<P> = {
  name: 'pingpong',
  title: 'PingPong',
  unit: 'msgs',
  params: (quick) => ({ n: quick ? 500 : 40_000 }),
  describe: (p) => `${p.n.toLocaleString('en-US')} round trips`,
  units: (p) => 2 * p.n,
  contenders(p, ctx: SuiteContext): Contender[] {
    const out = troupeContenders(ctx, (e) => troupe(p, e));
    out.push({ system: 'xstate', mode: 'machine', run: () => xstate(p) });
    out.push(...erlangContenders(ctx, 'pingpong', [p.n], p.n));
    out.push({ system: 'limit', mode: 'two-queue loop', run: () => limit(p) });
    return out;
  },
};
