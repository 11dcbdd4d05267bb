/**
 * Shared fixtures for the supervision tests. `makeSystem(options)` is the one
 * place a test system is created, so the same tests can later run with
 * executor threads by passing other options.
 */
import {
  type ActorRef,
  type ActorSystem,
  type AnyTroupeEvent,
  createSystem,
  defineActor,
  SimulatedClock,
  type SupervisorHandle,
  type SystemOptions,
  supervisor,
} from '@troupe/runtime';

export const MODE_OPTIONS: SystemOptions = { executors: 0 };

export async function makeSystem(
  extra: SystemOptions = {},
): Promise<{ system: ActorSystem; clock: SimulatedClock; events: AnyTroupeEvent[] }> {
  const clock = new SimulatedClock();
  const system = await createSystem({
    ...MODE_OPTIONS,
    clock,
    actors: { Worker, Flaky, BadInit, Fragile },
    ...extra,
  });
  const events: AnyTroupeEvent[] = [];
  system.events$.subscribe((e) => events.push(e));
  return { system, clock, events };
}

/** Lets queued turns, system messages and promise callbacks run (no wall-clock waiting). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

export type WorkerMsg =
  | { type: 'work'; id?: number }
  | { type: 'boom'; error?: unknown }
  | { type: 'reject'; error?: unknown }
  | { type: 'get' };

/** Counts messages; `boom` throws (sync), `reject` fails asynchronously; `get` replies the state. */
export const Worker = defineActor('worker', {
  init: (p: { tag?: string } | undefined) => ({ n: 0, tag: p?.tag ?? '' }),
  receive(s, m: WorkerMsg, ctx) {
    switch (m.type) {
      case 'work':
        return { ...s, n: s.n + 1 };
      case 'boom':
        throw m.error ?? new Error('boom');
      case 'reject':
        return Promise.reject(m.error ?? new Error('rejected'));
      case 'get':
        ctx.reply(s);
        return s;
    }
  },
});

/** The live worker `id` under `tree` (the tests that use it know it is running). */
export async function workerOf(tree: SupervisorHandle, id: string): Promise<ActorRef<WorkerMsg>> {
  return (await tree.child<WorkerMsg>(id)) as ActorRef<WorkerMsg>;
}

/** How many `work` messages the worker's current incarnation counted (0 after a restart). */
export async function countOf(ref: ActorRef<WorkerMsg>): Promise<number> {
  return ((await ref.ask({ type: 'get' })) as { n: number }).n;
}

/** Workers a, b, c under `strategy`, with room for 10 restarts a second. */
export const three = (strategy: 'one-for-one' | 'one-for-all' | 'rest-for-one') =>
  supervisor({
    id: 'app',
    strategy,
    intensity: { maxRestarts: 10, withinMs: 1000 },
    children: [
      { id: 'a', actor: Worker },
      { id: 'b', actor: Worker },
      { id: 'c', actor: Worker },
    ],
  });

/** Fails the first `failures` deliveries of each message id, then succeeds; logs every attempt. */
export const Flaky = defineActor('flaky', {
  init: (p: { failures: number; log: string[] }) => ({ ...p, seen: new Map<number, number>() }),
  receive(s, m: { type: 'job'; id: number }, ctx) {
    const k = (s.seen.get(m.id) ?? 0) + 1;
    s.seen.set(m.id, k);
    s.log.push(`${m.id}#${k}`);
    if (k <= s.failures) throw new Error(`job ${m.id} failed (${k})`);
    if (ctx.isAsk) ctx.reply(m.id);
    return s;
  },
});

/** init throws while `p.fail.count > 0` (decrementing it), so tests can make init fail N times. */
export const BadInit = defineActor('bad-init', {
  init: (p: { fail: { count: number } }) => {
    if (p.fail.count > 0) {
      p.fail.count--;
      throw new Error('init failed');
    }
    return { ok: true };
  },
  receive: (s, _m: unknown) => s,
});

export const ofType = <T extends string>(events: AnyTroupeEvent[], type: T) =>
  events.filter((e) => e.type === type) as Array<AnyTroupeEvent & Record<string, any>>;

/** Init fails while `p.fail.count > 0`; any message makes it throw (to trigger a restart). */
export const Fragile = defineActor('fragile', {
  init: (p: { fail: { count: number } }) => {
    if (p.fail.count > 0) {
      p.fail.count--;
      throw new Error('init failed');
    }
    return { ok: true };
  },
  receive(_s, _m: 'crash'): { ok: boolean } {
    throw new Error('crash');
  },
});

/** A small deterministic PRNG (mulberry32) for jitter tests. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
