/**
 * Compaction (scheduler/compaction.ts): actors on two executors that mostly
 * wait on each other's messages end up on one executor (the lower-numbered
 * when both are mostly idle, the busy one when only one is); with
 * `compaction: false` they stay where they were placed.
 */
import { type ActorRef, type ActorSystem, createSystem } from '@troupe/runtime';
import { afterEach, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

const PAIRS = 8;

/** PAIRS pongers on executor `pongs`, their pingers on `pings`, playing `n` round trips each. */
async function chatter(sys: ActorSystem, n: number, pongs = 1, pings = 2) {
  const pongers: ActorRef[] = [];
  const pingers: ActorRef[] = [];
  for (let i = 0; i < PAIRS; i++) {
    pongers.push(await sys.spawn(A.ponger, undefined, { placement: { executor: pongs } }));
    pingers.push(await sys.spawn(A.pinger, undefined, { placement: { executor: pings } }));
  }
  for (let i = 0; i < PAIRS; i++) pingers[i]!.tell({ type: 'go', peer: pongers[i]!, n });
  const threads = async () =>
    new Set(await Promise.all([...pongers, ...pingers].map((r) => r.ask<number>({ type: 'where' }))));
  const left = async () =>
    (await Promise.all(pingers.map((r) => r.ask<number>({ type: 'left' })))).reduce((a, b) => a + b, 0);
  return { threads, left };
}

const migrations = (sys: ActorSystem) => sys.metrics().executors.reduce((a, e) => a + e.migrations, 0);

/** `compaction.gathered` events: who gathered onto whom, how many actors, by which rule. */
function gatherings(sys: ActorSystem): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  sys.events$.subscribe((e) => {
    if (e.type === 'compaction.gathered') out.push(e as unknown as Record<string, unknown>);
  });
  return out;
}

// stealing: false in both: only compaction may move an actor here.
it('chatty actors on two mostly idle executors are gathered onto one, and keep playing', {
  timeout: 60_000,
}, async () => {
  const sys = await createSystem({ actors, executors: 2, stealing: false, events: { perMessage: 'off' } });
  system = sys;
  const gathered = gatherings(sys);
  const { threads, left } = await chatter(sys, 1_000_000);
  await expect.poll(async () => (await threads()).size, { timeout: 30_000, interval: 20 }).toBe(1);
  await sys.syncStats();
  expect(migrations(sys)).toBeGreaterThanOrEqual(PAIRS);
  // Said as it happened: the higher-numbered executor moved onto the lower, both mostly idle.
  await expect.poll(() => gathered.length, { timeout: 10_000, interval: 10 }).toBeGreaterThan(0);
  expect(gathered[0]).toMatchObject({ from: 2, to: 1, rule: 'idle-pair' });
  expect(gathered.reduce((a, e) => a + (e.actors as number), 0)).toBe(PAIRS);
  // Every pair still plays, now within one thread: the count left keeps falling.
  const before = await left();
  await expect.poll(left, { timeout: 30_000, interval: 20 }).toBeLessThan(before);
});

it('an idle executor gathers its chatty actors onto a saturated peer, even a higher-numbered one', {
  timeout: 60_000,
}, async () => {
  const sys = await createSystem({ actors, executors: 2, stealing: false, events: { perMessage: 'off' } });
  system = sys;
  // Executor 2 busy without a break (a pinned self-teller) hosts the pongers; executor 1, with the
  // pingers, only waits on pongs. Both-idle gathering would go to executor 1 (the lower number).
  const gathered = gatherings(sys);
  const looper = await sys.spawn(A.looper, undefined, { placement: { executor: 2 } });
  looper.tell({ type: 'go' });
  const { threads, left } = await chatter(sys, 1_000_000, 2, 1);
  await expect.poll(async () => (await threads()).size, { timeout: 30_000, interval: 20 }).toBe(1);
  await expect.poll(() => gathered.length, { timeout: 10_000, interval: 10 }).toBeGreaterThan(0);
  expect(gathered[0]).toMatchObject({ from: 1, to: 2, rule: 'lopsided' });
  const probe = await sys.spawn(A.where, undefined, { placement: { executor: 2 } });
  expect([...(await threads())]).toEqual([await probe.ask<number>({ type: 'where' })]);
  const before = await left();
  await expect.poll(left, { timeout: 30_000, interval: 20 }).toBeLessThan(before);
  looper.tell({ type: 'halt' });
});

it('with compaction: false they stay where they were placed', { timeout: 60_000 }, async () => {
  const sys = await createSystem({ actors, executors: 2, stealing: false, compaction: false });
  system = sys;
  const { threads, left } = await chatter(sys, 20_000);
  await expect.poll(left, { timeout: 50_000, interval: 20 }).toBe(0);
  expect((await threads()).size).toBe(2);
  await sys.syncStats();
  expect(migrations(sys)).toBe(0);
});

it('compaction is validated, naming the option', async () => {
  await expect(createSystem({ actors, executors: 1, compaction: 'yes' as never })).rejects.toMatchObject({
    code: 'config',
    context: { path: 'options.compaction' },
  });
});
