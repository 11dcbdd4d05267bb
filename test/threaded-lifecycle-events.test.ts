/**
 * Lifecycle events tell the truth when actors move: a migration — by
 * `system.migrate`, a spawn's placement, a steal — is one `actor.migrated`
 * (from, to, reason), never a second `actor.spawned`, so that spawned −
 * stopped is the number of live actors for anyone counting events.
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

const idOf = (e: AnyTroupeEvent): number | undefined => (e as { actor?: { id: number } }).actor?.id;

/** Lifecycle events of every actor, and the live count they imply. */
function lifecycle(sys: ActorSystem) {
  const events: AnyTroupeEvent[] = [];
  sys.events$.subscribe((e) => {
    if (e.type === 'actor.spawned' || e.type === 'actor.stopped' || e.type === 'actor.migrated')
      events.push(e);
  });
  const of = (ref: ActorRef) => events.filter((e) => idOf(e) === ref.id);
  const count = (type: string) => events.filter((e) => e.type === type).length;
  return { events, of, live: () => count('actor.spawned') - count('actor.stopped') };
}

it('system.migrate and a placement are one actor.migrated each, with from, to and reason', async () => {
  const sys = await createSystem({ actors, executors: 3, stealing: false, compaction: false });
  system = sys;
  const ev = lifecycle(sys);
  const r = await sys.spawn(A.where, undefined, { placement: { executor: 1 } });
  await sys.migrate(r, { executor: 2 });
  await sys.migrate(r, { executor: 3 });
  const p = await sys.spawn(A.parent, undefined, { placement: { executor: 1 } });
  const child = await p.ask<ActorRef>({ type: 'spawn', placement: { executor: 2 } });
  await r.ask({ type: 'where' });
  await child.ask({ type: 'where' });
  await expect.poll(() => ev.of(r).length).toBe(3);
  expect(ev.of(r).map((e) => e.type)).toEqual(['actor.spawned', 'actor.migrated', 'actor.migrated']);
  expect(ev.of(r).slice(1)).toMatchObject([
    { from: 1, to: 2, reason: 'migrate' },
    { from: 2, to: 3, reason: 'migrate' },
  ]);
  await expect.poll(() => ev.of(child).length).toBe(2);
  expect(ev.of(child)).toMatchObject([
    { type: 'actor.spawned' },
    { type: 'actor.migrated', from: 1, to: 2, reason: 'placement' },
  ]);
  await Promise.all([r, child, p].map((x) => sys.stop(x)));
  await expect.poll(ev.live).toBe(0);
});

it('a moved actor that cannot be restored is stopped where it landed: counted once each way', async () => {
  const sys = await createSystem({ actors, executors: 2, stealing: false, compaction: false });
  system = sys;
  const ev = lifecycle(sys);
  const x = await sys.spawn(A.spoilable, undefined, { placement: { executor: 1 } });
  x.tell({ type: 'spoil' });
  expect(await x.ask({ type: 'get' })).toBe(true);
  await sys.migrate(x, { executor: 2 });
  await expect.poll(() => ev.of(x).map((e) => e.type)).toEqual(['actor.spawned', 'actor.stopped']);
  expect(ev.of(x)[1]).toMatchObject({ reason: 'failed' });
  expect(ev.live()).toBe(0);
});

it('stolen actors are actor.migrated with reason steal, and spawned − stopped = live throughout', async () => {
  const sys = await createSystem({
    actors,
    executors: 2,
    topology: { groups: [[0, 1]] },
    stealThreshold: 2,
    stealCooldownMs: 2,
    compaction: false,
  });
  system = sys;
  const ev = lifecycle(sys);
  let steals = 0;
  sys.events$.subscribe((e) => {
    if (e.type === 'steal.succeeded') steals++;
  });
  const refs = await Promise.all(
    Array.from({ length: 16 }, () => sys.spawn(A.spinner, undefined, { placement: { executor: 1 } })),
  );
  for (let k = 0; k < 30; k++) for (const r of refs) r.tell({ type: 'spin', us: 300 });
  const counts = await Promise.all(refs.map((r) => r.ask<number>({ type: 'get' }, { timeoutMs: 30_000 })));
  expect(counts).toEqual(refs.map(() => 30));
  expect(steals).toBeGreaterThan(0);
  await sys.syncStats();
  expect(ev.live()).toBe(sys.stats().actors);
  const moved = ev.events.filter((e) => e.type === 'actor.migrated');
  expect(moved.length).toBeGreaterThan(0);
  expect(moved[0]).toMatchObject({ reason: 'steal', from: 1, to: 2 });
  // Executor 1 may steal some back once it runs dry: steals both ways, never another spawn.
  for (const e of moved) expect(e).toMatchObject({ reason: 'steal', from: 3 - (e as { to: number }).to });
  for (const r of refs) expect(ev.of(r).filter((e) => e.type === 'actor.spawned').length).toBe(1);
  await Promise.all(refs.map((r) => sys.stop(r)));
  await expect.poll(ev.live).toBe(0);
});

it('in-thread detach and rehydrate: the detached actor stops counting here, the rehydrated one counts', async () => {
  const sys = await createSystem({ actors, executors: 0 });
  system = sys;
  const ev = lifecycle(sys);
  const r = await sys.spawn(A.where, undefined);
  const bytes = sys.detach(r);
  expect(ev.live()).toBe(0);
  expect(ev.of(r).at(-1)).toMatchObject({ type: 'actor.stopped', reason: 'detached' });
  const again = sys.rehydrate(bytes);
  expect(again.id).toBe(r.id);
  expect(ev.live()).toBe(1);
});
