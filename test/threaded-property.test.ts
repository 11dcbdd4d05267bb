/**
 * Properties over random workloads with forced migrations and aggressive
 * stealing (threshold 1) racing each other, on real threads:
 * every message is accounted for, per-pair FIFO holds across migrations, and
 * ask replies reach the right caller.
 */
import { type ActorRef, type ActorSystem, createSystem } from '@troupe/runtime';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
const EXECUTORS = 3;
let system: ActorSystem;

beforeAll(async () => {
  system = await createSystem({ actors, executors: EXECUTORS, stealThreshold: 1 });
});
afterAll(async () => {
  await system.terminateExecutors();
});

type Cmd =
  | { t: 'send'; s: number; r: number; n: number }
  | { t: 'main'; r: number; n: number }
  | { t: 'migrate'; who: 'r' | 's'; i: number; to: number };

const executor = fc.integer({ min: 1, max: EXECUTORS });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({
    t: fc.constant('send' as const),
    s: fc.nat(2),
    r: fc.nat(1),
    n: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ t: fc.constant('main' as const), r: fc.nat(1), n: fc.integer({ min: 1, max: 20 }) }),
  fc.record({
    t: fc.constant('migrate' as const),
    who: fc.constantFrom('r' as const, 's' as const),
    i: fc.nat(2),
    to: executor,
  }),
);

let run = 0;

it('per-pair FIFO, accounting and ask replies hold under forced migrations', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(executor, { minLength: 2, maxLength: 2 }),
      fc.array(executor, { minLength: 3, maxLength: 3 }),
      fc.array(cmd, { minLength: 1, maxLength: 30 }),
      async (rPlace, sPlace, cmds) => {
        const id = run++;
        const recs = await Promise.all(
          rPlace.map((e) => system.spawn(A.recorder, undefined, { placement: { executor: e } })),
        );
        const senders = await Promise.all(
          sPlace.map((e, i) =>
            system.spawn(A.sender, { name: `s${id}_${i}` }, { placement: { executor: e } }),
          ),
        );
        const next = new Map<string, number>();
        const expected = recs.map(() => new Map<string, number[]>());
        const pending: Promise<unknown>[] = [];
        const replies: Array<Promise<[number, unknown]>> = [];
        const take = (from: string, n: number) => {
          const start = next.get(from) ?? 0;
          next.set(from, start + n);
          return start;
        };
        for (const c of cmds) {
          if (c.t === 'send') {
            const from = `s${id}_${c.s}`;
            const start = take(from, c.n);
            const exp = expected[c.r]!;
            exp.set(from, [...(exp.get(from) ?? []), ...Array.from({ length: c.n }, (_, k) => start + k)]);
            // The reply is the count this sender sent: it must come back to this very ask.
            replies.push(
              senders[c.s]!.ask({ type: 'send', to: recs[c.r]!, from: start, n: c.n, spinUs: 2000 }).then(
                (v) => [c.n, v],
              ),
            );
          } else if (c.t === 'main') {
            const from = `main${id}`;
            const start = take(from, c.n);
            const exp = expected[c.r]!;
            for (let k = 0; k < c.n; k++) {
              recs[c.r]!.tell({ type: 'rec', from, seq: start + k });
              exp.set(from, [...(exp.get(from) ?? []), start + k]);
            }
          } else {
            const ref: ActorRef = c.who === 'r' ? recs[c.i % recs.length]! : senders[c.i % senders.length]!;
            pending.push(system.migrate(ref, { executor: c.to }));
          }
        }
        for (const [n, v] of await Promise.all(replies)) expect(v).toBe(n);
        await Promise.all(pending);
        for (let r = 0; r < recs.length; r++) {
          const want = [...expected[r]!.values()].reduce((a, l) => a + l.length, 0);
          type Dump = { seen: Record<string, number[]>; count: number };
          await expect.poll(async () => (await recs[r]!.ask<Dump>({ type: 'dump' })).count).toBe(want);
          const dump = await recs[r]!.ask<Dump>({ type: 'dump' });
          expect(dump.seen).toEqual(Object.fromEntries(expected[r]!));
        }
        await system.syncStats();
        const s = system.stats();
        expect(s.inFlight).toBe(0);
        expect(s.sent).toBe(s.processed + s.deadLettered.total);
        expect(s.deadLettered.total).toBe(0);
        await Promise.all([...recs, ...senders].map((r) => system.stop(r)));
      },
    ),
    { numRuns: 40 },
  );
  // The workloads above really moved actors around while traffic flowed, by request and by steals.
  const m = system.metrics().executors;
  expect(m.reduce((n, e) => n + e.migrations, 0)).toBeGreaterThan(20);
  expect(m.reduce((n, e) => n + e.stealSuccesses, 0)).toBeGreaterThan(0);
});
