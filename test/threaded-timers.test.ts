/**
 * Timers survive migration on real threads (src/kernel/timers.ts): a machine's
 * `after` transition, a repeating keyed `ctx.schedule`, and a retried
 * message's backoff each run on where the actor moved, with the time they
 * had left (exact times are checked on a SimulatedClock in
 * packages/runtime/test/timers-move.test.ts).
 */
import { type ActorSystem, type AnyTroupeEvent, createSystem } from '@troupe/runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
let system: ActorSystem;
const events: AnyTroupeEvent[] = [];

beforeAll(async () => {
  system = await createSystem({ actors, executors: 2, stealing: false, compaction: false });
  system.events$.subscribe((e) => events.push(e));
});
afterAll(async () => {
  await system.terminateExecutors();
});

const on = (executor: number) => ({ placement: { executor } });
const threadOf = (node: number) => system.metrics().executors.find((e) => e.id === node)!.threadId;

it('a machine migrated while its after-timer runs reaches the next state on the new executor', async () => {
  const w = await system.spawn(A.waiter, { ms: 1500 }, on(1));
  const state = async () => (await w.ask<{ value: string }>({ type: 'peek' } as never)).value;
  w.tell({ type: 'start' });
  expect(await state()).toBe('waiting');
  await system.migrate(w, { executor: 2 });
  // Still waiting after the move, or the move came too late to say anything.
  expect(await state()).toBe('waiting');
  await expect.poll(state, { timeout: 15_000, interval: 50 }).toBe('done');
  expect(
    events.some((e) => e.type === 'actor.migrated' && (e as { actor: { id: number } }).actor.id === w.id),
  ).toBe(true);
});

it('a repeating keyed timer keeps ticking where the actor moved, and its key cancels it there', async () => {
  const t = await system.spawn(A.ticker, undefined, on(1));
  expect(await t.ask({ type: 'start', every: 20 })).toBe(true);
  const ticks = () => t.ask<number[]>({ type: 'ticks' });
  await expect.poll(async () => (await ticks()).length, { timeout: 10_000 }).toBeGreaterThan(1);
  await system.migrate(t, { executor: 2 });
  expect(await t.ask({ type: 'where' })).toBe(threadOf(2));
  await expect.poll(async () => (await ticks()).at(-1), { timeout: 10_000 }).toBe(threadOf(2));
  expect(await t.ask({ type: 'stop' })).toBe(true);
  expect(await t.ask({ type: 'stop' })).toBe(false);
});

it("a retried message's backoff moves with its actor: retried on the new executor after the wait", async () => {
  const f = await system.spawn(A.flaky, undefined, on(1));
  const retried = new Promise<void>((resolve) => {
    const sub = system.events$.subscribe((e) => {
      if (
        e.type === 'actor.message-retried' &&
        (e as unknown as { actor: { id: number } }).actor.id === f.id
      ) {
        sub.unsubscribe();
        resolve();
      }
    });
  });
  f.tell({ type: 'job' });
  await retried; // failed once on executor 1: the mailbox waits 400 ms for the retry
  await system.migrate(f, { executor: 2 });
  expect(await f.ask<number[]>({ type: 'done' }, { timeoutMs: 15_000 })).toEqual([threadOf(2)]);
});

it('accounts for every message', async () => {
  await system.syncStats();
  const s = system.stats();
  expect(s.inFlight).toBe(0);
  expect(s.sent).toBe(s.processed + s.deadLettered.total);
});
