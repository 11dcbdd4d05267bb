/**
 * Deadlock detection figures for issue 6:
 * 1. Overhead: an ask-heavy workload (clients awaiting asks through a middle
 *    tier, so every ask is a live wait-for edge) with detection off
 *    (`timeout-only`: no runtime at all) vs on (`fail-ask`). Target ≤ 10%.
 * 2. Latency from the closing edge to the resolution, in-thread: the
 *    `resolveMs` of `deadlock.resolved` (cycle found → action applied), and
 *    end to end (the closing `ctx.ask` call → its DeadlockError caught in the
 *    handler). Target ≤ 1 ms.
 *
 * Run: node --conditions=@troupe/source --import tsx packages/runtime/bench/deadlock.ts
 *
 * Throughput is asks per CPU-second of this process (user + system, so GC
 * threads count), the median of ROUNDS runs; off and on alternate so drift
 * hits both. Timings are reported, never asserted.
 */
import {
  type ActorRef,
  type AnyTroupeEvent,
  createSystem,
  defineActor,
  type SystemOptions,
} from '@troupe/runtime';

const ROUNDS = Number(process.env.ROUNDS ?? 11);
const CLIENTS = Number(process.env.CLIENTS ?? 64);
const ASKS = Number(process.env.ASKS ?? 3000);

const REQ = Object.freeze({ type: 'req' as const });

const Leaf = defineActor('bench.dl.leaf', {
  init: () => 0,
  receive(n: number, _m: typeof REQ, ctx) {
    ctx.reply(n);
    return n + 1;
  },
});

/** Asks the leaf and answers with its answer: every request is a wait of the middle on the leaf. */
const Middle = defineActor('bench.dl.middle', {
  init: (p: { leaf: ActorRef<typeof REQ> }) => p,
  async receive(s, _m: typeof REQ, ctx) {
    ctx.reply(await ctx.ask(s.leaf, REQ));
    return s;
  },
});

type ClientMsg = { type: 'run'; n: number; to: ActorRef<typeof REQ>; done: () => void };
const Client = defineActor(
  'bench.dl.client',
  {
    init: () => null,
    async receive(s: null, m: ClientMsg, ctx) {
      for (let i = 0; i < m.n; i++) await ctx.ask(m.to, REQ);
      m.done();
      return s;
    },
  },
  { pinned: true },
);

async function askHeavy(options: SystemOptions): Promise<number> {
  const system = await createSystem(options);
  const leaves = Array.from({ length: 8 }, () => system.spawnSync(Leaf, undefined));
  const middles = Array.from({ length: 16 }, (_, i) => system.spawnSync(Middle, { leaf: leaves[i % 8]! }));
  const clients = Array.from({ length: CLIENTS }, () => system.spawnSync(Client, undefined));
  // CPU time, not wall time: on a shared machine other processes' load would swamp a 10% difference.
  const c0 = process.cpuUsage();
  await new Promise<void>((resolve) => {
    let left = CLIENTS;
    const done = () => {
      if (--left === 0) resolve();
    };
    for (let i = 0; i < CLIENTS; i++) clients[i]!.tell({ type: 'run', n: ASKS, to: middles[i % 16]!, done });
  });
  const c = process.cpuUsage(c0);
  await system.shutdown({ timeoutMs: 1000 });
  return (CLIENTS * ASKS * 2) / ((c.user + c.system) / 1e6); // client→middle and middle→leaf asks
}

type RingMsg = { type: 'link'; next: ActorRef<RingMsg> } | { type: 'go' };
const closeTimes: number[] = [];
const caughtTimes: number[] = [];
const Ring = defineActor(
  'bench.dl.ring',
  {
    init: () => ({ next: undefined as ActorRef<RingMsg> | undefined }),
    receive(s, m: RingMsg, ctx) {
      if (m.type === 'link') return { next: m.next };
      return (async () => {
        const t = performance.now();
        try {
          ctx.reply(await ctx.ask(s.next!, { type: 'go' }));
        } catch (e) {
          // Only the closing ask fails under fail-ask: its call time and catch time give the latency.
          closeTimes.push(t);
          caughtTimes.push(performance.now());
          ctx.reply('deadlock');
          void e;
        }
        return s;
      })();
    },
  },
  { pinned: true },
);

async function latency(n: number, cycles: number): Promise<{ resolveUs: number[]; e2eUs: number[] }> {
  const system = await createSystem({
    deadlock: { strategy: 'fail-ask' },
    askTimeoutMs: 60_000,
    events: { perMessage: 'off' }, // only lifecycle and deadlock events: per-message ones would dominate
  });
  const resolveUs: number[] = [];
  system.events$.subscribe((e: AnyTroupeEvent) => {
    if (e.type === 'deadlock.resolved') resolveUs.push((e.resolveMs as number) * 1000);
  });
  const refs = Array.from({ length: n }, () => system.spawnSync(Ring, undefined));
  refs.forEach((r, i) => {
    r.tell({ type: 'link', next: refs[(i + 1) % n]! });
  });
  closeTimes.length = caughtTimes.length = 0;
  for (let i = 0; i < cycles; i++) await refs[0]!.ask({ type: 'go' });
  const e2eUs = closeTimes.map((t, i) => (caughtTimes[i]! - t) * 1000);
  await system.shutdown({ timeoutMs: 1000 });
  return { resolveUs, e2eUs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const off: number[] = [];
const on: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  off.push(await askHeavy({}));
  on.push(await askHeavy({ deadlock: { strategy: 'fail-ask' } }));
}
const bestOff = median(off);
const bestOn = median(on);
const overhead = (1 - bestOn / bestOff) * 100;
console.log(
  `ask-heavy, detection off (timeout-only): ${(bestOff / 1e6).toFixed(3)} M asks per CPU-second (median of ${ROUNDS})`,
);
console.log(
  `ask-heavy, detection on  (fail-ask):     ${(bestOn / 1e6).toFixed(3)} M asks per CPU-second (median of ${ROUNDS})`,
);
console.log(`detection overhead: ${overhead.toFixed(1)}% (target ≤ 10%)`);

const lat: Record<string, { resolveP50: number; resolveP99: number; e2eP50: number; e2eP99: number }> = {};
for (const n of [1, 2, 3, 20, 200]) {
  await latency(n, 200); // warm-up
  const { resolveUs, e2eUs } = await latency(n, 2000);
  lat[n] = {
    resolveP50: pct(resolveUs, 50),
    resolveP99: pct(resolveUs, 99),
    e2eP50: pct(e2eUs, 50),
    e2eP99: pct(e2eUs, 99),
  };
  console.log(
    `cycle of ${String(n).padStart(3)}: closing edge → resolved p50 ${lat[n].resolveP50.toFixed(1)} µs, p99 ${lat[n].resolveP99.toFixed(1)} µs; ` +
      `ctx.ask → DeadlockError caught p50 ${lat[n].e2eP50.toFixed(1)} µs, p99 ${lat[n].e2eP99.toFixed(1)} µs (target ≤ 1000 µs)`,
  );
}
console.log(
  JSON.stringify({
    askHeavy: {
      offPerSec: Math.round(bestOff),
      onPerSec: Math.round(bestOn),
      overheadPct: +overhead.toFixed(2),
    },
    latencyUs: lat,
  }),
);
