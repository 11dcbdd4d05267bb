/**
 * Property: random failure schedules over random flat trees running on an
 * executor (workers with it, or spread over both executors) never leave the supervisor with a stale or duplicate child, every
 * failing message is dead-lettered `failed`, and every message is accounted for.
 */
import { type ActorSystem, createSystem, supervisor } from '@troupe/runtime';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlakyMsg } from './fixtures/supervision-actors.ts';

const actors = new URL('./fixtures/supervision-actors.ts', import.meta.url);
let system: ActorSystem;

beforeAll(async () => {
  system = await createSystem({ actors, executors: 2, topology: { groups: [[0], [1]] } });
});
afterAll(async () => {
  await system.terminateExecutors();
});

const op = fc.record({
  child: fc.nat(3),
  type: fc.constantFrom<FlakyMsg['type']>('inc', 'inc', 'inc', 'boom', 'reject'),
});

describe('threaded supervision property', () => {
  it('random failure schedules: no stale or duplicate child, every message accounted for', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('one-for-one', 'one-for-all', 'rest-for-one') as fc.Arbitrary<
          'one-for-one' | 'one-for-all' | 'rest-for-one'
        >,
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { maxLength: 40 }),
        fc.constantFrom('spread', 'local') as fc.Arbitrary<'spread' | 'local'>,
        async (strategy, n, ops, placement) => {
          const ids = Array.from({ length: n }, (_, i) => `w${i}`);
          const h = await system.start(
            supervisor({
              id: 'prop',
              strategy,
              intensity: { maxRestarts: 1000, withinMs: 60_000 },
              children: ids.map((id) => ({ id, actor: 'flaky', placement })),
            }),
          );
          await system.syncStats();
          const before = system.stats().deadLettered.byReason.failed ?? 0;
          const refs = await Promise.all(ids.map(async (id) => (await h.child<FlakyMsg>(id))!));
          const failures = ids.map(() => 0);
          const sinceFailure = ids.map(() => 0);
          for (const o of ops) {
            const i = o.child % n;
            refs[i]!.tell({ type: o.type } as FlakyMsg);
            if (o.type === 'inc') sinceFailure[i]!++;
            else {
              failures[i]!++;
              sinceFailure[i] = 0;
            }
          }
          // Each ask is queued behind that worker's schedule (per-pair FIFO, restarts keep the mailbox).
          const got = await Promise.all(refs.map((r) => r.ask<number>({ type: 'get' })));
          // A worker on another executor than its supervisor reports its restart on a path of its
          // own: the supervisor may count it after the worker answered (its count catches up).
          await expect
            .poll(async () => (await h.children()).every((r, i) => r.restarts >= failures[i]!))
            .toBe(true);
          const rows = await h.children();
          expect(rows.map((r) => r.id)).toEqual(ids);
          expect(new Set(rows.map((r) => r.ref?.id)).size).toBe(n);
          rows.forEach((r, i) => {
            expect(r.alive).toBe(true);
            expect(r.ref?.id).toBe(refs[i]!.id); // workers restart in place: same incarnation ref
            expect(r.restarts).toBeGreaterThanOrEqual(failures[i]!);
            if (strategy === 'one-for-one') {
              expect(r.restarts).toBe(failures[i]);
              expect(got[i]).toBe(sinceFailure[i]);
            } else expect(got[i]).toBeLessThanOrEqual(sinceFailure[i]!);
          });
          await system.syncStats();
          const st = system.stats();
          expect(st.inFlight).toBe(0);
          expect(st.sent).toBe(st.processed + st.deadLettered.total);
          expect((st.deadLettered.byReason.failed ?? 0) - before).toBe(failures.reduce((a, b) => a + b, 0));
          await system.stop(h.ref);
        },
      ),
      { numRuns: 30 },
    );
  });
});
