/**
 * One delivery rule for values that cannot cross a thread (src/kernel/portable.ts):
 * the outcome never depends on whether sender and receiver happen to share an
 * executor — stealing and compaction decide that on their own. A movable
 * receiver never gets such a value (dead letter `unserializable`, an ask
 * rejects with UnserializableError) on its own executor or from another; a
 * pinned receiver gets it only from a pinned sender beside it.
 */
import { type ActorRef, type ActorSystem, createSystem, type DeadLetter } from '@troupe/runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
let system: ActorSystem;
const dead: DeadLetter[] = [];

beforeAll(async () => {
  system = await createSystem({ actors, executors: 2, stealing: false, compaction: false });
  system.deadLetters$.subscribe((d) => dead.push(d));
});
afterAll(async () => {
  await system.terminateExecutors();
});

const on = (executor: number) => ({ placement: { executor } });

it('a movable receiver refuses a function-carrying message the same way beside its sender and away from it', async () => {
  const near = await system.spawn(A.counter, undefined, on(1));
  const far = await system.spawn(A.counter, undefined, on(2));
  const s = await system.spawn(A.fnSender, undefined, on(1));
  const before = dead.length;
  for (const to of [near, far]) expect(await s.ask({ type: 'send', to })).toBe('sent');
  await expect.poll(() => dead.length - before).toBe(2);
  expect(dead.slice(before).map((d) => [d.recipient?.id, d.reason])).toEqual([
    [near.id, 'unserializable'],
    [far.id, 'unserializable'],
  ]);
  // An ask is refused alike on both sides: the asker's await rejects with UnserializableError.
  for (const to of [near, far]) expect(await s.ask({ type: 'send', to, ask: true })).toBe('unserializable');
  expect(await near.ask({ type: 'get' })).toBe(0);
  expect(await far.ask({ type: 'get' })).toBe(0);
});

it('a pinned receiver gets such values only from a pinned sender on its executor', async () => {
  const p = await system.spawn(A.pinnedCounter, undefined, on(1));
  const pinnedNear = await system.spawn(A.pinnedFnSender, undefined, on(1));
  const pinnedFar = await system.spawn(A.pinnedFnSender, undefined, on(2));
  const movableNear: ActorRef = await system.spawn(A.fnSender, undefined, on(1));
  expect(await pinnedNear.ask({ type: 'send', to: p, ask: true })).toBe('answered');
  expect(await pinnedFar.ask({ type: 'send', to: p, ask: true })).toBe('unserializable');
  expect(await movableNear.ask({ type: 'send', to: p, ask: true })).toBe('unserializable');
  expect(await p.ask({ type: 'get' })).toBe(1);
});

it('accounts for every message', async () => {
  await system.syncStats();
  const st = system.stats();
  expect(st.inFlight).toBe(0);
  expect(st.sent).toBe(st.processed + st.deadLettered.total);
});
