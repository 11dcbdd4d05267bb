/**
 * Adaptive pool on real threads: a sustained backlog starts executors (up to
 * maxExecutors), which steal the work; once idle past idleTimeoutMs they
 * vacate and retire (down to minExecutors), and no message is lost.
 */
import { type ActorSystem, type AnyTroupeEvent, createSystem } from '@troupe/runtime';
import { afterEach, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

it('grows on sustained backlog and shrinks back when idle', async () => {
  const sys = await createSystem({
    actors,
    executors: 1,
    minExecutors: 1,
    maxExecutors: 3,
    idleTimeoutMs: 300,
  });
  system = sys;
  const events: AnyTroupeEvent[] = [];
  let live = 1;
  let maxLive = 1;
  const sub = sys.events$.subscribe((e) => {
    if (e.type === 'executor.started' || e.type === 'executor.retired') {
      events.push(e);
      live += e.type === 'executor.started' ? 1 : -1;
      maxLive = Math.max(maxLive, live);
    }
  });
  expect(sys.metrics().executors.length).toBe(1);
  const refs = await Promise.all(Array.from({ length: 24 }, () => sys.spawn(A.spinner, undefined)));
  for (let k = 0; k < 40; k++) for (const r of refs) r.tell({ type: 'spin', us: 400 });
  await expect.poll(() => sys.metrics().executors.length, { timeout: 10_000 }).toBeGreaterThan(1);
  const counts = await Promise.all(refs.map((r) => r.ask<number>({ type: 'get' }, { timeoutMs: 60_000 })));
  expect(counts).toEqual(refs.map(() => 40));
  expect(events.filter((e) => e.type === 'executor.started').length).toBeGreaterThanOrEqual(1);
  await Promise.all(refs.map((r) => sys.stop(r)));
  // Every executor the backlog started retires once idle (an executor still starting may be counted late).
  const count = (t: string) => events.filter((e) => e.type === t).length;
  await expect
    .poll(
      () => count('executor.retired') === count('executor.started') && sys.metrics().executors.length === 1,
      {
        timeout: 20_000,
        interval: 100,
      },
    )
    .toBe(true);
  expect(maxLive).toBeLessThanOrEqual(3); // never above maxExecutors
  await sys.syncStats();
  const s = sys.stats();
  expect(s.inFlight).toBe(0);
  expect(s.sent).toBe(s.processed + s.deadLettered.total);
  expect(s.processed).toBeGreaterThanOrEqual(24 * 41);
  sub.unsubscribe();
}, 60_000);
