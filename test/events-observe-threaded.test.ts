/**
 * `system.observe({ sampleRate })` with executors (forwarding.ts): executors forward lifecycle
 * events without producing per-message ones at 0, sample at the rate asked for, and move to the
 * highest rate while a fuller subscriber stays.
 */
import { type ActorSystem, type AnyTroupeEvent, createSystem } from '@troupe/runtime';
import { afterEach, expect, it } from 'vitest';
import * as A from './fixtures/dead-letter-actors.ts';

const actors = new URL('./fixtures/dead-letter-actors.ts', import.meta.url);
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown({ timeoutMs: 5000 });
  system = undefined;
});

const count = (events: AnyTroupeEvent[], type: string) => events.filter((e) => e.type === type).length;

it('executors forward lifecycle only at rate 0, sampled per-message events at a rate, all under events$', async () => {
  const s = await createSystem({ actors, executors: 1, deadLetters: { log: false } });
  system = s;
  const seen: AnyTroupeEvent[] = [];
  const lifecycle = s.observe({ sampleRate: 0 }).subscribe((e) => seen.push(e));
  const k = await s.spawn(A.sink, undefined, { placement: { executor: 1 } });
  await expect.poll(() => count(seen, 'actor.spawned')).toBe(1);
  for (let i = 0; i < 100; i++) k.tell({ type: 'inc' });
  k.tell({ type: 'boom' });
  await expect.poll(() => count(seen, 'actor.failed')).toBe(1);
  await s.syncStats();
  expect(s.stats().processed).toBe(100);
  expect(seen.filter((e) => e.type.startsWith('message.') && e.type !== 'message.dead-lettered')).toEqual([]);

  const sampled: AnyTroupeEvent[] = [];
  const tenth = s.observe({ sampleRate: 0.1 }).subscribe((e) => sampled.push(e));
  // The executor hears of the new rate by a frame: wait until a sampled event shows it did.
  k.tell({ type: 'inc' });
  await expect
    .poll(async () => {
      k.tell({ type: 'inc' });
      await new Promise((r) => setTimeout(r, 5));
      return count(sampled, 'message.processed');
    })
    .toBeGreaterThan(0);
  sampled.length = 0;
  for (let i = 0; i < 1000; i++) k.tell({ type: 'inc' });
  k.tell({ type: 'boom' });
  await expect.poll(() => count(sampled, 'actor.failed')).toBe(1);
  // One run in ten, give or take the boundary of the batch.
  expect(count(sampled, 'message.processed')).toBeGreaterThanOrEqual(99);
  expect(count(sampled, 'message.processed')).toBeLessThanOrEqual(101);

  const all: AnyTroupeEvent[] = [];
  const full = s.events$.subscribe((e) => all.push(e));
  await expect
    .poll(async () => {
      k.tell({ type: 'inc' });
      await new Promise((r) => setTimeout(r, 5));
      return count(all, 'message.processed');
    })
    .toBeGreaterThan(1);
  all.length = 0;
  for (let i = 0; i < 50; i++) k.tell({ type: 'inc' });
  k.tell({ type: 'boom' });
  await expect.poll(() => count(all, 'actor.failed')).toBe(1);
  expect(count(all, 'message.processed')).toBe(50);
  full.unsubscribe();
  tenth.unsubscribe();
  lifecycle.unsubscribe();
});
