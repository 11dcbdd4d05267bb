/**
 * No combination of timeouts, aborts, retries, resizes, a full queue and a
 * close loses a task: every submitted task ends as exactly one of completed,
 * failed, timed out, cancelled or rejected, its promise says which, and the
 * pool's counters add up.
 */
import { createSystem, SimulatedClock } from '@troupe/runtime';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { quiesce } from './helpers.ts';
import { gated } from './pool-helpers.ts';

type Op =
  | { k: 'submit'; priority: number; timeout: boolean; retry: boolean; wait: boolean }
  | { k: 'open' | 'fail' | 'abort'; i: number }
  | { k: 'advance'; ms: number }
  | { k: 'resize'; n: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    k: fc.constant('submit' as const),
    priority: fc.integer({ min: 0, max: 2 }),
    timeout: fc.boolean(),
    retry: fc.boolean(),
    wait: fc.boolean(),
  }),
  fc.record({ k: fc.constantFrom('open' as const, 'fail' as const, 'abort' as const), i: fc.nat(40) }),
  fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 120 }) }),
  fc.record({ k: fc.constant('resize' as const), n: fc.integer({ min: 1, max: 3 }) }),
);

const kindOf = (e: any): string =>
  e === undefined
    ? 'completed'
    : e.code === 'pool-full' || e.code === 'pool-closed'
      ? 'rejected'
      : e.code === 'task-cancelled'
        ? 'cancelled'
        : e.code === 'task-timeout'
          ? 'timedOut'
          : 'failed';

it('every submitted task ends exactly once, and the counters add up (property)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 40 }), fc.boolean(), async (ops, graceful) => {
      const clock = new SimulatedClock();
      const system = await createSystem({ executors: 0, clock });
      try {
        const g = gated();
        const pool = await system.pool(g.fn, {
          max: 2,
          queue: { capacity: 3 },
          priorities: { levels: 3, agingMs: 50 },
        });
        const ends: { kind: string | null; count: number }[] = [];
        const acs: AbortController[] = [];
        for (const o of ops) {
          if (o.k === 'submit') {
            const i = ends.length;
            const end = { kind: null as string | null, count: 0 };
            ends.push(end);
            const ac = new AbortController();
            acs.push(ac);
            const opts = {
              priority: o.priority,
              signal: ac.signal,
              ...(o.timeout ? { timeoutMs: 60 } : {}),
              ...(o.retry ? { retry: { attempts: 1, backoff: 20 } } : {}),
            };
            const p = o.wait ? pool.submitWait(`t${i}`, opts) : pool.submit(`t${i}`, opts);
            p.then(
              () => {
                end.count++;
                end.kind = 'completed';
              },
              (e: unknown) => {
                end.count++;
                end.kind = kindOf(e);
              },
            );
          } else if (o.k === 'open') g.open(`t${o.i}`);
          else if (o.k === 'fail') g.fail(`t${o.i}`, new Error(`t${o.i} failed`));
          else if (o.k === 'abort') acs[o.i]?.abort();
          else if (o.k === 'advance') clock.advance(o.ms);
          else if (o.k === 'resize') pool.resize(o.n);
          await quiesce(system);
        }
        const closing = pool.close(graceful ? {} : { timeoutMs: 10 });
        // Graceful: every run is let finish. Otherwise the close timeout abandons what is left.
        for (let i = 0; i < ends.length; i++) {
          if (graceful) g.open(`t${i}`);
          clock.advance(graceful ? 0 : 10);
          await quiesce(system);
        }
        for (let i = 0; i < ends.length; i++) g.open(`t${i}`); // abandoned runs end, workers stop
        clock.advance(1000);
        const report = await closing;
        await quiesce(system);
        const s = report.stats;
        expect(ends.every((e) => e.count === 1)).toBe(true);
        const tally = (k: string) => ends.filter((e) => e.kind === k).length;
        expect({
          submitted: s.submittedTasks,
          completed: s.completedTasks,
          failed: s.failedTasks,
          timedOut: s.timedOutTasks,
          cancelled: s.cancelledTasks,
          rejected: s.rejectedTasks,
          pending: s.pendingTasks,
        }).toEqual({
          submitted: ends.length,
          completed: tally('completed'),
          failed: tally('failed'),
          timedOut: tally('timedOut'),
          cancelled: tally('cancelled'),
          rejected: tally('rejected'),
          pending: 0,
        });
      } finally {
        for (let i = 0; i < 100; i++) clock.advance(1000);
        await system.shutdown();
      }
    }),
    { numRuns: 40 },
  );
}, 60_000);
