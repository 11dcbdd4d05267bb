/**
 * In-thread core figures for issue 2's targets: Counting, PingPong, idle
 * actor heap, spawn+stop rate and the cost of the per-message event gate.
 *
 * Run: node --conditions=@troupe/source --import tsx --expose-gc packages/runtime/bench/core.ts
 *
 * Each figure is the best of several whole-run timings (the first runs warm
 * the JIT); heap figures need --expose-gc. Prints one line per figure and a
 * JSON summary last. Timings are reported, never asserted.
 */
import { type ActorRef, createSystem, defineActor } from '@troupe/runtime';

const gc = (globalThis as { gc?: () => void }).gc;
const ROUNDS = Number(process.env.ROUNDS ?? 7);

interface CountMsg {
  type: 'inc' | 'get';
}
const Counting = defineActor('bench.counting', {
  init: () => ({ n: 0 }),
  receive(s: { n: number }, m: CountMsg, ctx) {
    if (m.type === 'inc') {
      s.n++;
      return s;
    }
    ctx.reply(s.n);
    return s;
  },
});

// Savina PingPong with preallocated messages, as in bench/workloads/pingpong.actors.ts.
const PING = Object.freeze({ type: 'ping' as const });
const PONG = Object.freeze({ type: 'pong' as const });
type PingMsg = { type: 'start'; peer: ActorRef<typeof PING>; n: number; done: () => void } | typeof PONG;
const Pong = defineActor('bench.pong', {
  init: () => 0,
  receive(n: number, _m: typeof PING, ctx) {
    ctx.reply(PONG);
    return n + 1;
  },
});
const Ping = defineActor(
  'bench.ping',
  {
    init: () => ({ left: 0, done: null as (() => void) | null }),
    receive(s, m: PingMsg, ctx) {
      if (m.type === 'start') {
        s.left = m.n - 1;
        s.done = m.done;
        m.peer.tell(PING);
      } else if (s.left > 0) {
        s.left--;
        ctx.reply(PING);
      } else s.done?.();
      return s;
    },
  },
  { pinned: true },
);

/*
 * Wall time and this process's CPU time of the last timed section. On a
 * shared machine other processes steal the CPU: the CPU-time figure (work
 * done per second of CPU this process got) is the steadier one. GC helper
 * threads count as CPU too, so it errs low.
 */
let cpu0 = process.cpuUsage();
let lastWallMs = 1;
let lastCpuMs = 1;
function start(): number {
  cpu0 = process.cpuUsage();
  return performance.now();
}
function stop(t0: number): number {
  lastWallMs = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  lastCpuMs = (c.user + c.system) / 1000;
  return lastWallMs;
}

function best(xs: number[]): number {
  return Math.max(...xs);
}

async function counting(n: number): Promise<number> {
  const system = await createSystem();
  const ref = system.spawnSync(Counting, undefined);
  const inc: CountMsg = { type: 'inc' };
  const t0 = start();
  for (let i = 0; i < n; i++) ref.tell(inc);
  const got = await ref.ask<number>({ type: 'get' });
  const dt = stop(t0);
  if (got !== n) throw new Error(`counting: got ${got}, expected ${n}`);
  await system.shutdown();
  return (n + 1) / (dt / 1000);
}

async function pingPong(trips: number): Promise<number> {
  const system = await createSystem();
  const pong = system.spawnSync(Pong, undefined);
  const ping = system.spawnSync(Ping, undefined);
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const t0 = start();
  ping.tell({ type: 'start', peer: pong, n: trips, done });
  await finished;
  const dt = stop(t0);
  await system.shutdown();
  // Each round trip is two messages (ping and pong); the start message is not counted.
  return (trips * 2) / (dt / 1000);
}

const Idle = defineActor('bench.idle', { init: () => 0, receive: (s: number) => s });

async function idleHeap(n: number): Promise<number> {
  const system = await createSystem();
  const refs: ActorRef[] = new Array(n);
  await Promise.resolve();
  gc?.();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) refs[i] = system.spawnSync(Idle, undefined);
  await new Promise((r) => setImmediate(r));
  gc?.();
  gc?.();
  const after = process.memoryUsage().heapUsed;
  // The refs array itself (8 bytes a slot) is the caller's, not the actor's.
  const perActor = (after - before - n * 8) / n;
  if (refs.length !== n) throw new Error('unreachable');
  await system.shutdown();
  return perActor;
}

/** Spawns `n` actors, then stops them all (system.stop, awaited): a cohort that lives through GCs. */
async function spawnStopCohort(n: number): Promise<number> {
  const system = await createSystem();
  const refs: ActorRef[] = new Array(n);
  const t0 = start();
  for (let i = 0; i < n; i++) refs[i] = system.spawnSync(Idle, undefined);
  const stops: Promise<void>[] = new Array(n);
  for (let i = 0; i < n; i++) stops[i] = system.stop(refs[i]!);
  await Promise.all(stops);
  const dt = stop(t0);
  if (system.stats().actors !== 0) throw new Error('spawnStop: actors left');
  await system.shutdown();
  return n / (dt / 1000);
}

/** Steady churn: `n` actors spawned and stopped in batches of `batch` (each batch awaited). */
async function spawnStopChurn(n: number, batch: number): Promise<number> {
  const system = await createSystem();
  const refs: ActorRef[] = new Array(batch);
  const stops: Promise<void>[] = new Array(batch);
  const t0 = start();
  for (let b = 0; b < n; b += batch) {
    for (let i = 0; i < batch; i++) refs[i] = system.spawnSync(Idle, undefined);
    for (let i = 0; i < batch; i++) stops[i] = system.stop(refs[i]!);
    await Promise.all(stops);
  }
  const dt = stop(t0);
  if (system.stats().actors !== 0) throw new Error('spawnStop: actors left');
  await system.shutdown();
  return n / (dt / 1000);
}

/**
 * An actor spawns and stops children with ctx.spawn / ctx.stop (no
 * promises), one batch per message: it tells itself the next batch, so the
 * children's stop turns run between batches.
 */
type SpawnerMsg = { left: number; batch: number; done: () => void };
const Spawner = defineActor(
  'bench.spawner',
  {
    init: () => 0,
    receive(s: number, m: SpawnerMsg, ctx) {
      const refs: ActorRef[] = [];
      for (let i = 0; i < m.batch; i++) refs.push(ctx.spawn(Idle, undefined));
      for (const r of refs) ctx.stop(r);
      if (m.left > m.batch) ctx.self.tell({ left: m.left - m.batch, batch: m.batch, done: m.done });
      else m.done();
      return s;
    },
  },
  // throughput 1: the self-told next batch waits behind the children's stop turns.
  { pinned: true, throughput: 1 },
);
async function spawnStopCtx(n: number, batch: number): Promise<number> {
  const system = await createSystem();
  const parent = system.spawnSync(Spawner, undefined);
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const t0 = start();
  parent.tell({ left: n, batch, done });
  await finished;
  // The last batch stops in turns queued behind the parent's: let them run.
  while (system.stats().actors > 1) await new Promise((r) => setImmediate(r));
  const dt = stop(t0);
  await system.shutdown();
  return n / (dt / 1000);
}

/**
 * Counting with a lifecycle-only subscriber (`perMessage: 'off'`: the gate is
 * closed although events$ has a listener) or a full one (3 events a message).
 */
async function gated(n: number, mode: 'lifecycle' | 'all'): Promise<number> {
  const system = await createSystem({ events: { perMessage: mode === 'all' ? 'auto' : 'off' } });
  let seen = 0;
  const sub = system.events$.subscribe(() => seen++);
  const ref = system.spawnSync(Counting, undefined);
  const inc: CountMsg = { type: 'inc' };
  const t0 = start();
  for (let i = 0; i < n; i++) ref.tell(inc);
  await ref.ask<number>({ type: 'get' });
  const dt = stop(t0);
  sub.unsubscribe();
  if (mode === 'all' ? seen < 3 * n : seen > 2) throw new Error(`gated(${mode}): ${seen} events`);
  await system.shutdown();
  return (n + 1) / (dt / 1000);
}

/**
 * Runs `f` `rounds` times after `warmup` untimed runs. No forced GC between
 * runs: a full collection tenures the actors' objects and drops the JIT's
 * warm state, which would measure the collector rather than the runtime.
 */
async function repeat(f: () => Promise<number>, rounds = ROUNDS, warmup = 2): Promise<Runs> {
  for (let i = 0; i < warmup; i++) await f();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const rate = await f();
    wall.push(rate);
    cpu.push((rate * lastWallMs) / Math.max(lastCpuMs, 1e-3));
  }
  return { wall, cpu };
}

interface Runs {
  wall: number[];
  cpu: number[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const fmt = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`);
const line = (label: string, unit: string, r: Runs) =>
  console.log(
    `${label.padEnd(44)} median ${fmt(median(r.wall)).padStart(7)}  best ${fmt(best(r.wall)).padStart(7)}  ` +
      `per CPU-second ${fmt(median(r.cpu)).padStart(7)} ${unit}`,
  );

// Order matters on V8: the heap figure (100k live actors, forced GCs) runs last
// so its tenured garbage does not slow the throughput figures.
const count = await repeat(() => counting(1_000_000));
line('counting: 1e6 tells + 1 ask, one actor', 'msgs/s', count);
const off = await repeat(() => gated(1_000_000, 'lifecycle'));
line('  same, lifecycle subscriber (gate closed)', 'msgs/s', off);
const on = await repeat(() => gated(1_000_000, 'all'), 3);
line('  same, events$ subscribed (3 events/msg)', 'msgs/s', on);
const pp = await repeat(() => pingPong(40_000), ROUNDS * 3, 10);
line('pingpong: 40,000 round trips', 'msgs/s', pp);
const churn = await repeat(() => spawnStopChurn(100_000, 1_000), 5);
line('spawn+stop: 100k, batches of 1,000 (system)', 'actors/s', churn);
const ctxChurn = await repeat(() => spawnStopCtx(100_000, 1_000), 5);
line('spawn+stop: 100k, batches of 1,000 (ctx)', 'actors/s', ctxChurn);
const cohort = await repeat(() => spawnStopCohort(100_000), 3, 1);
line('spawn+stop: 100k all alive, then all stopped', 'actors/s', cohort);
const heap = gc ? (await repeat(() => idleHeap(100_000), 3, 0)).wall : [];
console.log(
  gc
    ? `${'idle actor: retained heap, 100k actors'.padEnd(44)} min ${Math.min(...heap).toFixed(0)} B/actor`
    : 'idle actor: retained heap (run with --expose-gc)',
);
const fig = (r: Runs) => ({
  median: Math.round(median(r.wall)),
  best: Math.round(best(r.wall)),
  perCpuSecond: Math.round(median(r.cpu)),
});
console.log(
  JSON.stringify({
    counting: fig(count),
    countingGateClosed: fig(off),
    countingEventsOn: fig(on),
    pingPong: fig(pp),
    spawnStopChurn: fig(churn),
    spawnStopCtx: fig(ctxChurn),
    spawnStopCohort: fig(cohort),
    idleActorBytes: gc ? Math.round(Math.min(...heap)) : null,
  }),
);
