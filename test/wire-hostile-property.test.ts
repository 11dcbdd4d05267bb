/**
 * Hostile values thrown at actors on two executors (issue 16's property):
 * plain data mixed with values too deep, cyclic (through errors too),
 * exotic (null prototypes, holes, lone surrogates, Buffers, errors with fields
 * and causes) and unportable (functions, symbols, class instances, getters
 * that throw now or later, revoked proxies), told, asked, relayed between
 * executors, replied and thrown, from the main thread and from the executors,
 * while the actors that receive them migrate.
 * Whatever they are:
 * - every ask settles: with the value exactly, or an UnserializableError for
 *   what cannot cross (a failure: an ActorFailedError carrying what it can);
 * - at quiescence `stats()` balances: sent = processed + deadLettered, and
 *   deadLetters$ saw every dead letter stats counted;
 * - no thread dies: the same two executors serve to the end.
 */
import {
  type ActorRef,
  type ActorSystem,
  createSystem,
  type DeadLetter,
  isActorFailedError,
  isConfigError,
  isUnserializableError,
} from '@troupe/runtime';
import { findUnserializable } from '@troupe/scheduler';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { differs, hostileValue } from '../packages/scheduler/test/values.ts';
import * as W from './fixtures/wire-actors.ts';

const actors = new URL('./fixtures/wire-actors.ts', import.meta.url);
const EXECUTORS = 2;
let system: ActorSystem;
const dead: DeadLetter[] = [];
const lost: string[] = [];
let threads: number[];

beforeAll(async () => {
  system = await createSystem({ actors, executors: EXECUTORS, askTimeoutMs: 60_000 });
  system.deadLetters$.subscribe((d) => dead.push(d));
  system.events$.subscribe((e) => {
    if (/^executor\.(crashed|hung|lost|replaced)/.test(e.type)) lost.push(e.type);
  });
  await system.syncStats(); // executors forward dead letters and events from here on
  threads = system.metrics().executors.map((e) => e.threadId);
});
afterAll(async () => {
  await system.terminateExecutors();
});

const kinds = Object.keys(W.KINDS) as W.Kind[];
/** A value the test sends: generated here, or a hostile one built fresh at send time. */
type Sent = { v: unknown } | { kind: W.Kind };
const sent: fc.Arbitrary<Sent> = fc.oneof(
  { weight: 3, arbitrary: hostileValue().map((v) => ({ v })) },
  { weight: 1, arbitrary: fc.constantFrom(...kinds).map((kind) => ({ kind })) },
);
const at = fc.nat(EXECUTORS - 1);
type Cmd =
  | { t: 'tell' | 'ask'; to: number; x: Sent }
  | { t: 'relay'; via: number; to: number; x: Sent; ask: boolean }
  | { t: 'make'; via: number; kind: W.Kind; to: number | null; ask: boolean }
  | { t: 'throw'; at: number; x: Sent }
  | { t: 'migrate'; who: 'echo' | 'relay'; i: number; to: number };
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ t: fc.constantFrom('tell' as const, 'ask' as const), to: at, x: sent }),
  fc.record({ t: fc.constant('relay' as const), via: at, to: at, x: sent, ask: fc.boolean() }),
  fc.record({
    t: fc.constant('make' as const),
    via: at,
    kind: fc.constantFrom(...kinds),
    to: fc.option(at),
    ask: fc.boolean(),
  }),
  fc.record({ t: fc.constant('throw' as const), at, x: sent }),
  fc.record({
    t: fc.constant('migrate' as const),
    who: fc.constantFrom('echo' as const, 'relay' as const),
    i: at,
    to: at,
  }),
);

const build = (x: Sent): unknown => ('kind' in x ? W.KINDS[x.kind].make() : x.v);
/** Whether the value a Sent builds crosses: the kind says so; a generated value, the check. */
const portable = (x: Sent, v: unknown): boolean =>
  'kind' in x ? W.KINDS[x.kind].portable : findUnserializable(v, 'message') === undefined;

/** An UnserializableError anywhere in an error's cause chain or fields (a failure that crossed in part). */
function holdsUnserializable(e: unknown, depth = 0): boolean {
  if (isUnserializableError(e)) return true;
  if (depth > 3 || e === null || typeof e !== 'object') return false;
  return [...Object.values(e), (e as { cause?: unknown }).cause].some((v) =>
    holdsUnserializable(v, depth + 1),
  );
}

it('hostile values on two executors: every ask settles as it should, stats balance, no thread dies', async () => {
  let run = 0;
  let moved = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 16 }), async (cmds) => {
      run++;
      const spawn = <T>(def: Parameters<ActorSystem['spawn']>[0], e: number) =>
        system.spawn(def, undefined as never, { placement: { executor: e + 1 } }) as Promise<ActorRef<T>>;
      const echo = await Promise.all([0, 1].map((e) => spawn<unknown>(W.echo, e)));
      const relay = await Promise.all([0, 1].map((e) => spawn<W.HostileMsg>(W.relay, e)));
      const thrower = await Promise.all([0, 1].map((e) => spawn<unknown>(W.thrower, e)));
      const checks: Promise<void>[] = [];
      const expectSettled = (p: Promise<unknown>, check: (ok: boolean, v: unknown) => void) =>
        checks.push(
          p.then(
            (v) => check(true, v),
            (e: unknown) => check(false, e),
          ),
        );
      // One synchronous block: the bad values share batches with the good ones.
      for (const c of cmds) {
        if (c.t === 'tell' || c.t === 'ask') {
          const v = build(c.x);
          const good = portable(c.x, v);
          const expected = 'kind' in c.x ? W.KINDS[c.x.kind].make() : v;
          if (c.t === 'tell') echo[c.to]!.tell(v);
          else
            expectSettled(echo[c.to]!.ask(v), (ok, back) => {
              if (good) {
                expect(ok, `ask answered: ${String(back)}`).toBe(true);
                expect(differs(expected, back)).toBeUndefined();
              } else expect(isUnserializableError(back), String(back)).toBe(true);
            });
        } else if (c.t === 'relay') {
          relay[c.via]!.tell({ type: 'relay', to: echo[c.to]!, v: build(c.x), ask: c.ask });
        } else if (c.t === 'make') {
          if (c.to !== null) relay[c.via]!.tell({ type: 'make', kind: c.kind, to: echo[c.to]!, ask: c.ask });
          else
            expectSettled(
              relay[c.via]!.ask({ type: 'make', kind: c.kind, to: null, ask: true }),
              (ok, back) => {
                if (W.KINDS[c.kind].portable) {
                  expect(ok, `reply answered: ${String(back)}`).toBe(true);
                  expect(differs(W.KINDS[c.kind].make(), back)).toBeUndefined();
                } else expect(isUnserializableError(back), String(back)).toBe(true);
              },
            );
        } else if (c.t === 'migrate') {
          // Moves an actor while the values flow: it moves, or is refused with a typed error.
          const ref = (c.who === 'echo' ? echo : relay)[c.i]!;
          expectSettled(system.migrate(ref, { executor: c.to + 1 }), (ok, e) => {
            if (ok) moved++;
            else expect(isConfigError(e) || isUnserializableError(e), String(e)).toBe(true);
          });
        } else if (c.t === 'throw') {
          const v = build(c.x);
          const good = portable(c.x, v);
          const msg = 'kind' in c.x ? { type: 'make', kind: c.x.kind } : { type: 'throw', v };
          expectSettled(thrower[c.at]!.ask(msg), (ok, e) => {
            expect(ok).toBe(false);
            if ('kind' in c.x && good) {
              expect(isActorFailedError(e), String(e)).toBe(true);
              expect(differs(W.KINDS[c.x.kind].make(), (e as Error).cause)).toBeUndefined();
            } else if ('kind' in c.x)
              // Built there: it fails the actor, and crosses back as far as it can.
              expect(
                isUnserializableError(e) || (isActorFailedError(e) && holdsUnserializable(e)),
                String(e),
              ).toBe(true);
            else if (good) {
              expect(isActorFailedError(e), String(e)).toBe(true);
              expect(differs(v, (e as Error).cause)).toBeUndefined();
            } else expect(isUnserializableError(e), String(e)).toBe(true);
          });
        }
      }
      await Promise.all(checks);
      // Asks the relays made between executors: all settled, each as it should.
      for (const r of relay) {
        await expect
          .poll(async () => (await r.ask<W.Report>({ type: 'report' })).outstanding, { timeout: 30_000 })
          .toBe(0);
        expect((await r.ask<W.Report>({ type: 'report' })).bad).toEqual([]);
      }
      await Promise.all([...echo, ...relay, ...thrower].map((r) => system.stop(r)));
      // Quiescent: every message processed or dead-lettered, and every dead letter seen.
      await expect
        .poll(
          async () => {
            await system.syncStats();
            return system.stats().inFlight;
          },
          { timeout: 30_000 },
        )
        .toBe(0);
      const st = system.stats();
      expect(st.sent).toBe(st.processed + st.deadLettered.total);
      await expect.poll(() => dead.length, { timeout: 30_000 }).toBe(st.deadLettered.total);
      expect(lost).toEqual([]);
      expect(system.metrics().executors.map((e) => e.threadId)).toEqual(threads);
    }),
    { numRuns: 80 },
  );
  expect(run).toBe(80);
  // The runs did throw bad values at the system, and moved actors while they flowed.
  expect(moved).toBeGreaterThan(5);
  expect(system.stats().deadLettered.byReason.unserializable).toBeGreaterThan(20);
});
