/**
 * Property: under load, any mix of hung handlers, crashed executors and
 * ordinary handler failures leaves a system where every ask settled without
 * timing out, the guardian saw each lost culprit fail with the right reason,
 * every restarted actor answers, and `sent = processed + deadLettered`.
 * Few runs: each one starts real threads and waits for real replacements.
 */
import { type ActorRef, isActorStoppedError, isAskTimeoutError } from '@troupe/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { balanced, start } from './fault-helpers.ts';
import * as F from './fixtures/fault-actors.ts';

type Step =
  | { kind: 'load'; tells: number; asks: number; seed: number }
  | { kind: 'hang' | 'crash' | 'fail'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('load' as const),
    tells: fc.integer({ min: 1, max: 40 }),
    asks: fc.integer({ min: 0, max: 4 }),
    seed: fc.nat(),
  }),
  fc.record({ kind: fc.constantFrom('hang' as const, 'crash' as const, 'fail' as const), pick: fc.nat() }),
);

const fault: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('hang' as const, 'crash' as const),
  pick: fc.nat(),
});

const KEYS = ['w0', 'w1', 'w2', 'w3'];

describe('executor faults under load (property)', () => {
  it('asks settle, supervision restarts, accounting balances', { timeout: 240_000 }, async () => {
    let totalLosses = 0;
    await fc.assert(
      fc.asyncProperty(fault, fc.array(step, { minLength: 1, maxLength: 4 }), async (first, rest) => {
        // The first fault always finds its target off the guardian's executor (workers start on 1 and 2).
        const steps = [first, ...rest];
        // hangTimeoutMs well above scheduling delays: on an overloaded machine (several spinning
        // threads on two cores) an idle executor can be starved past 200 ms, which the watchdog
        // cannot tell from a hang. This property is about recovery, not detection latency.
        const h = await start({
          executors: 3,
          askTimeoutMs: 20_000,
          hangTimeoutMs: 1000,
          watchdogIntervalMs: 100,
          // Every culprit is a 'worker': the breaker (tested on its own) would quarantine it.
          restartBreaker: { maxLosses: 1000 },
        });
        try {
          const { system } = h;
          // Executor 3 hosts the guardian; faults are only ever caused elsewhere.
          const guardian = await system.spawn(F.guardian, undefined, { placement: { executor: 3 } });
          const home = await system.spawn(F.worker, { key: 'probe' }, { placement: { executor: 3 } });
          const guardianThread = await home.ask<number>({ type: 'where' });
          for (const [i, key] of KEYS.entries()) {
            const ref = await system.spawn(F.worker, { key }, { placement: { executor: 1 + (i % 2) } });
            guardian.tell({ type: 'adopt', key, ref });
          }
          const children = () => guardian.ask<Record<string, ActorRef<F.WorkerMsg>>>({ type: 'children' });
          const asks: Promise<PromiseSettledResult<unknown>>[] = [];
          // Settled at once, so a rejection is never unhandled while later steps run.
          const track = (p: Promise<unknown>) =>
            asks.push(
              p.then(
                (value) => ({ status: 'fulfilled', value }) as const,
                (reason: unknown) => ({ status: 'rejected', reason }) as const,
              ),
            );
          const expected: { id: number; reason: string }[] = [];
          let losses = 0;
          for (const s of steps) {
            const kids = await children();
            if (s.kind === 'load') {
              let x = s.seed;
              for (let i = 0; i < s.tells; i++)
                kids[KEYS[(x = (x * 1103515245 + 12345) >>> 0) % 4]!]!.tell({ type: 'inc' });
              for (let i = 0; i < s.asks; i++) track(kids[KEYS[i % 4]!]!.ask({ type: 'get' }));
              continue;
            }
            const key = KEYS[s.pick % 4]!;
            const target = kids[key]!;
            if (s.kind === 'fail') {
              target.tell({ type: 'boom' });
              track(target.ask({ type: 'get' }));
              continue;
            }
            // Never the guardian's own executor: it is the one supervising.
            if ((await target.ask<number>({ type: 'where' })) === guardianThread) continue;
            target.tell({ type: s.kind === 'hang' ? 'spin' : 'exit' });
            track(target.ask({ type: 'get' }));
            expected.push({
              id: target.id,
              reason: s.kind === 'hang' ? 'executor-hung' : 'executor-crashed',
            });
            losses++;
            await h.next('executor.replaced', losses);
          }
          const settled = await Promise.all(asks);
          for (const r of settled)
            if (r.status === 'rejected') {
              expect(isAskTimeoutError(r.reason)).toBe(false);
              expect(isActorStoppedError(r.reason) || String(r.reason).includes('boom')).toBe(true);
            }
          const failures = await guardian.ask<{ id: number; reason: string }[]>({ type: 'failures' });
          for (const e of expected) expect(failures).toContainEqual(expect.objectContaining(e));
          for (const f of failures) expect(['executor-hung', 'executor-crashed']).toContain(f.reason);
          const kids = await children();
          for (const key of KEYS)
            expect(typeof (await kids[key]!.ask<number>({ type: 'get' }))).toBe('number');
          const st = await balanced(system);
          expect(st.balanced).toBe(true);
          expect(st.inFlight).toBe(0);
          const m = system.metrics().faults!;
          expect(m.hung + m.crashed).toBe(losses);
          expect(m.replaced).toBe(losses);
          totalLosses += losses;
        } finally {
          await h.close();
        }
      }),
      { numRuns: 4, endOnFailure: true },
    );
    // The generator must actually have exercised recovery.
    expect(totalLosses).toBeGreaterThan(0);
  });
});
