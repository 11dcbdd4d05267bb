/**
 * Restart latency, in-thread: from the moment a failing message is told to
 * the moment the restarted child has processed its next message.
 *
 * Run: node --conditions=@troupe/source --import tsx packages/runtime/bench/supervision.ts
 *
 * Two paths are measured: a worker restarted in place by its supervisor
 * (failure → supervisor decides → child re-initialises → next message), and
 * a sub-supervisor respawned after escalation (its worker is started afresh
 * and asked). No backoff, wall clock. Prints p50/p99/mean in µs and a JSON line.
 */
import { type ActorRef, createSystem, defineActor, supervisor } from '@troupe/runtime';

const N = Number(process.env.N ?? 20_000);

type Msg = { type: 'boom' } | { type: 'next'; t0: number };
const samples: number[] = [];
let resolveNext: (() => void) | null = null;

const Worker = defineActor('bench.sup-worker', {
  init: () => ({ n: 0 }),
  receive(s, m: Msg) {
    if (m.type === 'boom') throw new Error('boom');
    samples.push(performance.now() - m.t0);
    resolveNext?.();
    return s;
  },
});

function stats(xs: number[]): { p50: number; p99: number; mean: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s[Math.min(s.length - 1, Math.floor(p * s.length))] as number) * 1000;
  return { p50: q(0.5), p99: q(0.99), mean: (s.reduce((a, b) => a + b, 0) / s.length) * 1000 };
}

async function inPlace(): Promise<ReturnType<typeof stats>> {
  const system = await createSystem({ executors: 0 });
  const tree = await system.start(
    supervisor({
      id: 'bench',
      intensity: { maxRestarts: 1_000_000, withinMs: 1 },
      children: [{ id: 'w', actor: Worker }],
    }),
  );
  const w = (await tree.child<Msg>('w')) as ActorRef<Msg>;
  samples.length = 0;
  for (let i = 0; i < N; i++) {
    const done = new Promise<void>((r) => (resolveNext = r));
    const t0 = performance.now();
    w.tell({ type: 'boom' });
    w.tell({ type: 'next', t0 });
    await done;
  }
  const out = stats(samples.slice(N / 10)); // drop JIT warm-up
  await system.shutdown();
  return out;
}

async function respawn(): Promise<ReturnType<typeof stats>> {
  const system = await createSystem({ executors: 0 });
  const tree = await system.start(
    supervisor({
      id: 'bench',
      intensity: { maxRestarts: 1_000_000, withinMs: 1 },
      children: [
        {
          id: 'sub',
          supervisor: { decider: () => 'escalate', children: [{ id: 'w', actor: Worker }] },
        },
      ],
    }),
  );
  const n = Math.max(100, N / 10);
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const sub = await tree.supervisor('sub');
    const w = (await sub.child<Msg>('w')) as ActorRef<Msg>;
    const t0 = performance.now();
    w.tell({ type: 'boom' });
    // The fresh incarnation is found by asking the parent, as application code would.
    for (;;) {
      const rows = await tree.children();
      if (rows[0]?.restarts === i + 1 && rows[0].status === 'running') break;
    }
    const sub2 = await tree.supervisor('sub');
    let w2: ActorRef<Msg> | undefined;
    while ((w2 = await sub2.child<Msg>('w')) === undefined);
    const done = new Promise<void>((r) => (resolveNext = r));
    w2.tell({ type: 'next', t0 });
    await done;
    lat.push(samples.pop() as number);
  }
  const out = stats(lat.slice(n / 10));
  await system.shutdown();
  return out;
}

const fmt = (s: ReturnType<typeof stats>) =>
  `p50 ${s.p50.toFixed(1)} µs, p99 ${s.p99.toFixed(1)} µs, mean ${s.mean.toFixed(1)} µs`;
const a = await inPlace();
console.log(`restart in place (failure → restarted worker processes next message), n=${N}: ${fmt(a)}`);
const b = await respawn();
console.log(`sub-supervisor escalation → respawned tree → worker processes next message: ${fmt(b)}`);
console.log(JSON.stringify({ restartInPlaceUs: a, escalateRespawnUs: b }));
