/**
 * Skewed load on real threads with a two-group topology override: idle
 * executors steal, their own group first, other groups only after
 * `maxStealRetries` failed rounds; each cross-group steal is a NUMA crossing.
 */
import { type ActorRef, type ActorSystem, type AnyTroupeEvent, createSystem } from '@troupe/runtime';
import { afterEach, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

interface StealEvent {
  type: 'steal.succeeded';
  thief: number;
  victim: number;
  cross: boolean;
  rounds: number;
  actors: number;
}

async function skewed(stealing: boolean) {
  const sys = await createSystem({
    actors,
    executors: 4,
    // executors 1, 3 → group 0; 2, 4 → group 1 (assignGroups interleaves)
    topology: {
      groups: [
        [0, 1],
        [2, 3],
      ],
    },
    stealing,
    maxStealRetries: 3,
    stealCooldownMs: 2,
    stealThreshold: 2,
  });
  system = sys;
  const steals: StealEvent[] = [];
  const sub = sys.events$.subscribe((e: AnyTroupeEvent) => {
    if (e.type === 'steal.succeeded') steals.push(e as unknown as StealEvent);
  });
  const refs = await Promise.all(
    Array.from({ length: 24 }, () => sys.spawn(A.spinner, undefined, { placement: { executor: 1 } })),
  );
  const t0 = performance.now();
  for (let k = 0; k < 30; k++) for (const r of refs) r.tell({ type: 'spin', us: 300 });
  const counts = await Promise.all(refs.map((r) => r.ask<number>({ type: 'get' }, { timeoutMs: 30_000 })));
  const ms = performance.now() - t0;
  sub.unsubscribe();
  expect(counts).toEqual(refs.map(() => 30));
  await sys.syncStats();
  return { sys, steals, ms, metrics: sys.metrics() };
}

it('steals under skew: local group first, cross-group only after the retries', async () => {
  const { steals, metrics, sys } = await skewed(true);
  expect(steals.length).toBeGreaterThan(0);
  const groupOf = new Map(metrics.executors.map((e) => [e.id, e.group]));
  // The loaded executor's group-mate stole from it (the ordering itself is
  // checked deterministically in packages/scheduler/test/stealing.test.ts).
  expect(steals.some((s) => s.victim === 1 && s.thief === 3 && !s.cross)).toBe(true);
  for (const s of steals) {
    expect(s.cross).toBe(groupOf.get(s.thief) !== groupOf.get(s.victim));
    if (s.cross) expect(s.rounds).toBeGreaterThanOrEqual(3);
  }
  const byId = new Map(metrics.executors.map((e) => [e.id, e]));
  const crossSteals = steals.filter((s) => s.cross).length;
  expect(metrics.executors.reduce((n, e) => n + e.numaCrossings, 0)).toBe(crossSteals);
  expect(metrics.executors.reduce((n, e) => n + e.stealSuccesses, 0)).toBe(steals.length);
  expect(byId.get(1)!.migrations).toBeGreaterThan(0);
  expect(metrics.groups.map((g) => g.executors)).toEqual([
    [1, 3],
    [2, 4],
  ]);
  const s = sys.stats();
  expect(s.sent).toBe(s.processed + s.deadLettered.total);
  expect(s.inFlight).toBe(0);
});

it('with stealing off the skewed actors never move', async () => {
  const { steals, metrics } = await skewed(false);
  expect(steals).toEqual([]);
  expect(metrics.executors.every((e) => e.stealAttempts === 0 && e.migrations === 0)).toBe(true);
});

it('actors whose state cannot be encoded are never stolen, and the refusal is reported', async () => {
  const sys = await createSystem({
    actors,
    executors: 2,
    topology: { groups: [[0, 1]] },
    stealThreshold: 2,
    // One message per turn: the stuck actors stay in the ready queue for the whole run.
    throughput: 1,
  });
  system = sys;
  const refused: AnyTroupeEvent[] = [];
  const sub = sys.events$.subscribe((e) => {
    if (e.type === 'migration.refused') refused.push(e);
  });
  const stuck = await Promise.all(
    Array.from({ length: 6 }, () => sys.spawn(A.holdsFunction, undefined, { placement: { executor: 1 } })),
  );
  const busy = await sys.spawn(A.spinner, undefined, { placement: { executor: 1 } });
  // Keep executor 1's queue long while the stuck actors are ready, so executor 2 keeps asking.
  for (let k = 0; k < 60; k++) {
    busy.tell({ type: 'spin', us: 2000 });
    for (const r of stuck) r.tell({ type: 'inc' });
  }
  await busy.ask({ type: 'get' }, { timeoutMs: 30_000 });
  const home = await Promise.all(stuck.map((r) => r.ask<number>({ type: 'where' })));
  const t1 = sys.metrics().executors.find((e) => e.id === 1)!.threadId;
  expect(home.every((t) => t === t1)).toBe(true);
  await expect.poll(() => refused.length, { timeout: 5000 }).toBeGreaterThan(0);
  expect(refused.every((e) => /holdsFunction/.test(JSON.stringify((e as { actor?: unknown }).actor)))).toBe(
    true,
  );
  expect(refused[0]).toMatchObject({ to: 2 });
  sub.unsubscribe();
});

it('children spawned with ctx.spawn are stolen too, and stopping their parent still stops every one', async () => {
  const sys = await createSystem({
    actors,
    executors: 2,
    topology: { groups: [[0, 1]] },
    stealThreshold: 2,
    stealCooldownMs: 2,
  });
  system = sys;
  let steals = 0;
  const sub = sys.events$.subscribe((e) => {
    if (e.type === 'steal.succeeded') steals++;
  });
  const p = await sys.spawn(A.parent, undefined, { placement: { executor: 1 } });
  const kids: ActorRef<A.SpinnerMsg>[] = [];
  for (let i = 0; i < 16; i++)
    kids.push(await p.ask<ActorRef<A.SpinnerMsg>>({ type: 'spawn', placement: 'local', spinner: true }));
  const w = await sys.spawn(A.watcher, undefined, { placement: { executor: 1 } });
  for (const k of kids) await w.ask({ type: 'watch', ref: k });
  for (let n = 0; n < 30; n++) for (const k of kids) k.tell({ type: 'spin', us: 300 });
  expect(await Promise.all(kids.map((k) => k.ask<number>({ type: 'get' }, { timeoutMs: 30_000 })))).toEqual(
    kids.map(() => 30),
  );
  sub.unsubscribe();
  const homes = await Promise.all(kids.map((k) => k.ask<number>({ type: 'where' })));
  const t2 = sys.metrics().executors.find((e) => e.id === 2)!.threadId;
  expect(steals).toBeGreaterThan(0);
  expect(homes.filter((t) => t === t2).length).toBeGreaterThan(0);
  // The links went with them: the parent's stop reaches each child wherever it runs, once.
  await sys.stop(p);
  await expect.poll(async () => (await w.ask<string[]>({ type: 'got' })).length).toBe(kids.length);
  expect(new Set(await w.ask<string[]>({ type: 'got' }))).toEqual(
    new Set(kids.map((k) => `${k.id}:parent-stopped`)),
  );
  await sys.syncStats();
  const s = sys.stats();
  expect(s.actors).toBe(1);
  expect(s.sent).toBe(s.processed + s.deadLettered.total);
});
