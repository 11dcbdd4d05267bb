/**
 * Subscriber isolation with executors (runtime isolated-observable.ts): events and dead letters
 * that executors forward to the main thread reach a subscriber that throws; it is dropped and
 * reported, never an uncaught exception, and forwarding goes on for the others.
 */
import { type ActorSystem, type AnyTroupeEvent, createSystem } from '@troupe/runtime';
import { afterEach, beforeEach, expect, it } from 'vitest';
import * as A from './fixtures/dead-letter-actors.ts';

const actors = new URL('./fixtures/dead-letter-actors.ts', import.meta.url);
let system: ActorSystem | undefined;
let uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);

beforeEach(() => {
  uncaught = [];
  process.on('uncaughtException', onUncaught);
});
afterEach(async () => {
  process.off('uncaughtException', onUncaught);
  await system?.terminateExecutors();
  system = undefined;
});

it("a subscriber that throws on an executor's events or dead letters is dropped; the rest go on", async () => {
  const lines: string[] = [];
  const s = await createSystem({
    actors,
    executors: 2,
    topology: { groups: [[0], [1]] },
    logger: { warn: (l) => lines.push(l) },
    deadLetters: { log: false },
  });
  system = s;
  const seen: AnyTroupeEvent[] = [];
  s.events$.subscribe((e) => seen.push(e));
  let eventCalls = 0;
  s.events$.subscribe((e) => {
    if (e.type !== 'actor.spawned') return;
    eventCalls++;
    throw new Error('event observer bug');
  });
  let deadCalls = 0;
  s.deadLetters$.subscribe(() => {
    deadCalls++;
    throw new Error('dead-letter observer bug');
  });
  const sinks = [
    await s.spawn(A.sink, undefined, { placement: { executor: 1 } }),
    await s.spawn(A.sink, undefined, { placement: { executor: 2 } }),
  ];
  for (const k of sinks) k.tell({ type: 'boom' });
  await expect
    .poll(() =>
      seen
        .filter((e) => e.type === 'observer.failed')
        .map((e) => (e as { stream: string }).stream)
        .sort(),
    )
    .toEqual(['deadLetters$', 'events$']);
  for (const k of sinks) k.tell({ type: 'boom' });
  await expect.poll(() => seen.filter((e) => e.type === 'actor.failed').length).toBe(4);
  await new Promise((r) => setTimeout(r, 20)); // rxjs reports from a timeout
  expect(uncaught).toEqual([]);
  expect([eventCalls, deadCalls]).toEqual([1, 1]);
  expect(seen.filter((e) => e.type === 'actor.spawned')).toHaveLength(2);
  expect(lines).toHaveLength(2);
});
