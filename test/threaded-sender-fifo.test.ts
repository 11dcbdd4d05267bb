/**
 * Per-pair FIFO when the *sender* migrates (executors/sender-sync.ts).
 *
 * A sender's messages to a receiver that lives away from its birth executor
 * travel through that birth executor. Held there (a long handler, here a
 * gate), they are overtaken on current main by what the sender sends once it
 * has moved next to the receiver — delivered at once, in its own thread — or
 * from any other executor whose port the birth executor happens to read first.
 * The new executor now holds the arrived sender until every executor its old
 * one posted to has read those batches.
 *
 * Deterministic: gates (a held thread) and explicit events order every step;
 * a probe routed exactly like the sender's request shows when the sender's
 * turn would have run. The property repeats the interleaving over random
 * placements, counts and a moving receiver.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ActorRef, type ActorSystem, type AnyTroupeEvent, createSystem } from '@troupe/runtime';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
const EXECUTORS = 4;
let system: ActorSystem;
const events: AnyTroupeEvent[] = [];

beforeAll(async () => {
  // Nothing moves but by request: each step below puts an actor exactly where it is needed.
  system = await createSystem({ actors, executors: EXECUTORS, stealing: false, compaction: false });
  system.events$.subscribe((e) => events.push(e));
});
afterAll(async () => {
  await system.terminateExecutors();
});

const on = (executor: number) => ({ placement: { executor } });
const threadOf = (node: number) => system.metrics().executors.find((e) => e.id === node)!.threadId;
const where = (r: ActorRef) => r.ask<number>({ type: 'where' }, { timeoutMs: 30_000 });

/** Resolves once `ref`'s migration has completed (its fence passed where it arrived). */
function completed(ref: ActorRef): Promise<void> {
  const seen = events.length;
  return expect
    .poll(
      () =>
        events
          .slice(seen)
          .some(
            (e) => e.type === 'migration.completed' && (e as { actor?: { id: number } }).actor?.id === ref.id,
          ),
      { timeout: 20_000, interval: 5 },
    )
    .toBe(true) as unknown as Promise<void>;
}

/** An actor born on `birth` that lives on `home` once this resolves (and is free to act there). */
async function placed<D extends typeof A.recorder | typeof A.where>(
  def: D,
  birth: number,
  home: number,
): Promise<ActorRef> {
  const ref = await system.spawn(def as typeof A.where, undefined, on(birth));
  if (home !== birth) await system.migrate(ref, { executor: home });
  expect(await where(ref)).toBe(threadOf(home));
  return ref;
}

let run = 0;

interface Scenario {
  /** The receiver's birth executor (held below when `hold` is 'birth') and where it lives. */
  birth: number;
  home: number;
  /** The sender's first executor and where it moves. */
  from: number;
  to: number;
  /** The executor held while the sender moves: the receiver's birth executor, or another one. */
  held: number;
  first: number;
  second: number;
  /** The receiver also moves, after the first sends (not awaited: its birth executor may be held). */
  receiverTo: number | null;
  /** Messages main tells the receiver between the two halves (another pair, interleaved). */
  mainTells: number;
}

/**
 * The sender sends `first` messages from `from`, moves to `to` while `held`
 * is blocked, sends `second` more; then `held` is released. The receiver must
 * see the sender's messages in send order.
 */
async function play(sc: Scenario): Promise<void> {
  const tag = `${process.pid}-${run++}-${Date.now()}`;
  const file = (f: string) => join(tmpdir(), `troupe-sender-fifo-${f}-${tag}`);
  const heldFile = file('held');
  const release = file('release');
  const name = `s-${tag}`;
  const r = await placed(A.recorder, sc.birth, sc.home);
  // Routed like the sender below (born on its first executor, living where it moves).
  const probe = await placed(A.where, sc.from, sc.to);
  const s = await system.spawn(A.sender, { name }, on(sc.from));
  const g = await system.spawn(A.gate, undefined, on(sc.held));
  const held = g.ask<boolean>(
    { type: 'hold', path: release, maxMs: 20_000, signal: heldFile },
    { timeoutMs: 30_000 },
  );
  let second: Promise<unknown> = Promise.resolve();
  const moves: Promise<unknown>[] = [];
  try {
    await expect.poll(() => existsSync(heldFile), { timeout: 20_000 }).toBe(true);
    // 1. The first half leaves the sender's first executor (the sender answers from there).
    expect(await s.ask({ type: 'send', to: r, from: 0, n: sc.first }, { timeoutMs: 30_000 })).toBe(sc.first);
    if (sc.receiverTo !== null) moves.push(system.migrate(r, { executor: sc.receiverTo }).catch(() => {}));
    for (let k = 0; k < sc.mainTells; k++) r.tell({ type: 'rec', from: 'main', seq: k });
    // 2. The sender moves; its arrival is complete (fence passed) on its new executor.
    const done = completed(s);
    await system.migrate(s, { executor: sc.to });
    await done;
    // 3. The second half is asked for; the probe, routed behind that request, answers once the
    //    sender's turn would have run had it been free to.
    second = s.ask({ type: 'send', to: r, from: sc.first, n: sc.second }, { timeoutMs: 30_000 });
    expect(await where(probe)).toBe(threadOf(sc.to));
  } finally {
    writeFileSync(release, '');
  }
  expect(await held).toBe(true); // the file released it, not its deadline
  expect(await second).toBe(sc.second);
  await Promise.all(moves);
  type Dump = { seen: Record<string, number[]>; count: number };
  const want = sc.first + sc.second + sc.mainTells;
  await expect
    .poll(async () => (await r.ask<Dump>({ type: 'dump' }, { timeoutMs: 30_000 })).count, { timeout: 20_000 })
    .toBe(want);
  const dump = await r.ask<Dump>({ type: 'dump' }, { timeoutMs: 30_000 });
  expect(dump.seen[name]).toEqual(Array.from({ length: sc.first + sc.second }, (_, k) => k));
  if (sc.mainTells > 0) expect(dump.seen.main).toEqual(Array.from({ length: sc.mainTells }, (_, k) => k));
  await Promise.all([r, probe, s, g].map((a) => system.stop(a)));
  for (const f of [heldFile, release]) rmSync(f, { force: true });
}

it('a sender that moves next to its receiver does not overtake what it sent through the receiver’s held birth executor', async () => {
  // The receiver is born on 1 and lives on 2; the sender starts on 3 and moves to 2; 1 is held.
  await play({
    birth: 1,
    home: 2,
    from: 3,
    to: 2,
    held: 1,
    first: 3,
    second: 3,
    receiverTo: null,
    mainTells: 0,
  });
}, 60_000);

it('a sender that moves elsewhere does not overtake, through another port, what waits at the receiver’s birth executor', async () => {
  await play({
    birth: 1,
    home: 2,
    from: 3,
    to: 4,
    held: 1,
    first: 3,
    second: 3,
    receiverTo: null,
    mainTells: 0,
  });
}, 60_000);

it('property: per-pair FIFO holds for senders that migrate mid-stream, held executors and moving receivers included', async () => {
  const executor = fc.integer({ min: 1, max: EXECUTORS });
  const scenario = fc
    .record({
      birth: executor,
      home: executor,
      from: executor,
      to: executor,
      holdBirth: fc.constantFrom(true, true, true, false),
      other: executor,
      first: fc.integer({ min: 1, max: 8 }),
      second: fc.integer({ min: 1, max: 8 }),
      receiverTo: fc.option(executor, { nil: null }),
      mainTells: fc.integer({ min: 0, max: 4 }),
    })
    .map(({ holdBirth, other, ...sc }) => ({ ...sc, held: holdBirth ? sc.birth : other }))
    // The driver awaits the sender on its first executor, the fence where it lands and the probe:
    // neither may be the held executor (messages to the receiver may wait there — that is the point).
    .filter((sc) => sc.from !== sc.to && sc.held !== sc.from && sc.held !== sc.to);
  await fc.assert(
    fc.asyncProperty(scenario, (sc) => play(sc)),
    { numRuns: 30, endOnFailure: true },
  );
}, 600_000);

it('accounts for every message', async () => {
  await system.syncStats();
  const s = system.stats();
  expect(s.inFlight).toBe(0);
  expect(s.sent).toBe(s.processed + s.deadLettered.total);
});
