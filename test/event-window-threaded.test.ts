/**
 * Per-message events from an executor behind a stalled `events$` subscriber:
 * what is posted to the main thread and not read stays within the window
 * (event-window.ts); past it per-message events are dropped, counted in
 * `metrics()` and reported by an `executor.events-dropped` event. Sizes, not
 * heap-and-hope.
 */
import { type ActorSystem, type AnyTroupeEvent, createSystem } from '@troupe/runtime';
import { expect, it } from 'vitest';
import { EVENT_WINDOW } from '../packages/runtime/src/executors/event-window.ts';
import { Silent } from './fixtures/memory-actors.ts';

const actors = new URL('./fixtures/memory-actors.ts', import.meta.url);
const N = 20_000;
type ExecutorMetrics = ReturnType<ActorSystem['metrics']>['executors'][number];

it('a stalled subscriber: the executor keeps at most a window of events unread and counts what it drops', async () => {
  const system = await createSystem({ actors, executors: 1, stealing: false });
  const silent = await system.spawn(Silent, undefined);
  const executor = (): ExecutorMetrics => system.metrics().executors[0]!;
  let stalled = false;
  let atStall: ExecutorMetrics | undefined;
  let perMessage = 0;
  const reports: AnyTroupeEvent[] = [];
  const sub = system.events$.subscribe((e) => {
    if (e.type.startsWith('message.')) perMessage++;
    if (e.type === 'executor.events-dropped') reports.push(e);
    if (stalled || !e.type.startsWith('message.')) return;
    stalled = true;
    // The subscriber stalls the main thread: it reads no event until the executor has done all the work.
    const end = performance.now() + 20_000;
    while (system.stats().processed < N && performance.now() < end) {}
    atStall = executor();
  });
  await system.syncStats(); // the executor forwards events from here on
  for (let i = 0; i < N; i++) silent.tell('ping');
  await expect.poll(() => atStall !== undefined, { timeout: 30_000 }).toBe(true);
  expect(atStall!.eventsQueued).toBeLessThanOrEqual(EVENT_WINDOW);
  expect(atStall!.eventsDropped).toBeGreaterThan(0);
  // Once the main thread reads again the window empties; every per-message event was read or dropped.
  await expect.poll(() => executor().eventsQueued, { timeout: 30_000 }).toBe(0);
  await system.syncStats();
  const dropped = executor().eventsDropped;
  expect(perMessage + dropped).toBe(3 * N); // sent, received, processed for each message
  // Reported as an event too (the metrics tick, once a second while someone subscribes).
  await expect.poll(() => reports.length, { timeout: 5000 }).toBeGreaterThan(0);
  expect(reports.at(-1)).toMatchObject({ executor: 1, total: dropped, window: EVENT_WINDOW });
  sub.unsubscribe();
  await system.shutdown();
}, 60_000);
