/**
 * Threaded mode on real worker threads: placement, location transparency,
 * asks and watches across threads, migration, unserializable values,
 * startup failures.
 */

import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ActorRef,
  type ActorSystem,
  type AnyTroupeEvent,
  createSystem,
  type DeadLetter,
  isActorStoppedError,
  isConfigError,
  isUnserializableError,
} from '@troupe/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
let system: ActorSystem;

beforeAll(async () => {
  system = await createSystem({ actors, executors: 3, topology: { groups: [[0], [1]] }, stealing: false });
});
afterAll(async () => {
  await system.terminateExecutors();
});

const where = (r: ActorRef) => r.ask<number>({ type: 'where' });
const threadOf = (node: number) => system.metrics().executors.find((e) => e.id === node)!.threadId;

describe('placement and location transparency', () => {
  it('places by executor, group and spread', async () => {
    const e2 = await system.spawn(A.where, undefined, { placement: { executor: 2 } });
    expect(await where(e2)).toBe(threadOf(2));
    // groups: executors 1 and 3 are in group 0, executor 2 in group 1
    const g1 = await system.spawn(A.where, undefined, { placement: { group: 1 } });
    expect(await where(g1)).toBe(threadOf(2));
    const spread = await Promise.all([0, 1, 2, 3, 4, 5].map(() => system.spawn(A.where, undefined)));
    const tids = new Set(await Promise.all(spread.map(where)));
    expect(tids.size).toBe(3);
  });

  it('rejects a bad placement naming the field', async () => {
    await expect(system.spawn(A.where, undefined, { placement: { executor: 9 } })).rejects.toSatisfy(
      (e: unknown) => isConfigError(e) && /placement\.executor/.test((e as Error).message),
    );
  });

  it('ctx.spawn places a child on another executor and its ref works everywhere', async () => {
    const p = await system.spawn(A.parent, undefined, { placement: { executor: 1 } });
    const child = await p.ask<ActorRef>({ type: 'spawn', placement: { executor: 3 } });
    expect(await where(child)).toBe(threadOf(3));
    const local = await p.ask<ActorRef>({ type: 'spawn', placement: 'local' });
    expect(await where(local)).toBe(threadOf(1));
  });

  it('asks between actors on different threads reach the right caller', async () => {
    const target = await system.spawn(A.where, undefined, { placement: { executor: 2 } });
    const relays = await Promise.all(
      [1, 3].map((e) => system.spawn(A.relay, undefined, { placement: { executor: e } })),
    );
    const answers = await Promise.all(
      relays.flatMap((r) =>
        [0, 1, 2].map(() => r.ask({ type: 'relay', to: target, msg: { type: 'where' } })),
      ),
    );
    expect(new Set(answers)).toEqual(new Set([threadOf(2)]));
  });

  it('finds named actors from the main thread', async () => {
    const r = await system.spawn(A.where, undefined, { name: 'the-one', placement: { executor: 2 } });
    expect(system.lookup('the-one')?.id).toBe(r.id);
    await system.stop(r);
    await system.syncStats();
    expect(system.lookup('the-one')).toBeUndefined();
  });

  it('delivers Terminated to a watcher on another thread', async () => {
    const w = await system.spawn(A.watcher, undefined, { placement: { executor: 1 } });
    const t = await system.spawn(A.where, undefined, { placement: { executor: 2 } });
    await w.ask({ type: 'watch', ref: t });
    await system.stop(t);
    await expect.poll(() => w.ask<string[]>({ type: 'got' })).toEqual([`${t.id}:stopped`]);
  });
});

describe('unserializable values', () => {
  it('dead-letters a tell and rejects an ask, with an event; the thread survives', async () => {
    const r = await system.spawn(A.where, undefined, { placement: { executor: 1 } });
    const dead: DeadLetter[] = [];
    const events: AnyTroupeEvent[] = [];
    const s1 = system.deadLetters$.subscribe((d) => dead.push(d));
    const s2 = system.events$.subscribe((e) => events.push(e));
    r.tell({ type: 'add', n: 1, cb: () => 1 } as never);
    await expect(r.ask({ type: 'where', fn: () => 2 } as never)).rejects.toSatisfy(isUnserializableError);
    expect(dead.map((d) => d.reason)).toEqual(['unserializable', 'unserializable']);
    expect(events.filter((e) => e.type === 'message.dead-lettered').length).toBe(2);
    expect(await where(r)).toBe(threadOf(1));
    s1.unsubscribe();
    s2.unsubscribe();
  });

  it('an actor whose state cannot be encoded stays put and the refusal is reported', async () => {
    const r = await system.spawn(A.holdsFunction, undefined, { placement: { executor: 1 } });
    await expect(system.migrate(r, { executor: 2 })).rejects.toSatisfy(isUnserializableError);
    expect(await where(r)).toBe(threadOf(1));
  });
});

describe('migration', () => {
  it('moves state and keeps the ref valid; pinned actors never move', async () => {
    const r = await system.spawn(A.where, undefined, { placement: { executor: 1 } });
    r.tell({ type: 'add', n: 5 });
    await system.migrate(r, { executor: 2 });
    r.tell({ type: 'add', n: 2 });
    expect(await where(r)).toBe(threadOf(2));
    expect(await r.ask({ type: 'get' })).toBe(7);
    await system.migrate(r, { executor: 3 });
    await system.migrate(r, { executor: 1 });
    expect(await where(r)).toBe(threadOf(1));
    expect(await r.ask({ type: 'get' })).toBe(7);
    const p = await system.spawn(A.pinnedActor, undefined, { placement: { executor: 1 } });
    await expect(system.migrate(p, { executor: 2 })).rejects.toSatisfy(isConfigError);
    expect(await where(p)).toBe(threadOf(1));
    const before = system.metrics().executors.reduce((n, e) => n + e.migrations, 0);
    expect(before).toBeGreaterThanOrEqual(3);
  });

  it('a moved actor runs the messages it took along before the handshake that registers it completes', async () => {
    const flag = join(tmpdir(), `troupe-early-${process.pid}-${Date.now()}`);
    const r = await system.spawn(A.where, undefined, { placement: { executor: 1 } });
    const g = await system.spawn(A.gate, undefined, { placement: { executor: 1 } });
    // One batch to executor 1, in order: the ask joins r's mailbox, r leaves with it, then the gate
    // holds executor 1 — r's birth executor, which must answer r's arrival before the fence can pass.
    const asked = where(r);
    const moved = system.migrate(r, { executor: 2 });
    const held = g.ask<boolean>({ type: 'hold', path: flag, maxMs: 10_000 }, { timeoutMs: 20_000 });
    try {
      expect(await asked).toBe(threadOf(2));
    } finally {
      writeFileSync(flag, '');
    }
    expect(await held).toBe(true); // the file released it, not its deadline: r answered meanwhile
    await moved;
    r.tell({ type: 'add', n: 3 });
    expect(await r.ask({ type: 'get' })).toBe(3);
    expect(await where(r)).toBe(threadOf(2));
    rmSync(flag);
  }, 30_000);

  it('keeps per-pair FIFO for a sender on the executor the actor arrives at, fence held', async () => {
    const tag = `${process.pid}-${Date.now()}`;
    const file = (f: string) => join(tmpdir(), `troupe-fifo-${f}-${tag}`);
    const open = file('open');
    const held1 = file('held');
    const release = file('release');
    const r = await system.spawn(A.recorder, undefined, { placement: { executor: 1 } });
    const g = await system.spawn(A.gate, undefined, { placement: { executor: 1 } });
    const name = `fifo-${tag}`;
    const s = await system.spawn(A.sender, { name }, { placement: { executor: 2 } });
    // 1. Executor 2 is held in s's turn, so r's snapshot waits in its port.
    const first = s.ask({ type: 'send', to: r, from: 0, n: 3, waitFor: open }, { timeoutMs: 20_000 });
    // 2. Executor 1 sends r (with the ask) to executor 2, then is held: nothing leaves it, no fence.
    const asked = r.ask<number>({ type: 'where' }, { timeoutMs: 20_000 });
    const moved = system.migrate(r, { executor: 2 });
    const held = g.ask<boolean>(
      { type: 'hold', path: release, maxMs: 10_000, signal: held1 },
      { timeoutMs: 20_000 },
    );
    try {
      await expect.poll(() => existsSync(held1), { timeout: 8000 }).toBe(true);
      // 3. s sends 0-2 by r's birth executor (r is not known on executor 2 yet): they wait there.
      writeFileSync(open, '');
      expect(await first).toBe(3);
      // 4. r runs on executor 2 (early activation); s sends 3-5 from beside it.
      expect(await asked).toBe(threadOf(2));
      expect(await s.ask({ type: 'send', to: r, from: 3, n: 3 })).toBe(3);
    } finally {
      writeFileSync(release, '');
    }
    expect(await held).toBe(true);
    await moved;
    const dump = await r.ask<{ seen: Record<string, number[]> }>({ type: 'dump' });
    expect(dump.seen[name]).toEqual([0, 1, 2, 3, 4, 5]);
    for (const f of [open, held1, release]) rmSync(f);
  }, 30_000);

  it('an actor that stops while arriving releases its name, and a watch sent meanwhile gets Terminated', async () => {
    const flag = join(tmpdir(), `troupe-early-stop-${process.pid}-${Date.now()}`);
    const events: AnyTroupeEvent[] = [];
    const sub = system.events$.subscribe((e) => events.push(e));
    const name = `quits-arriving-${Date.now()}`;
    const q = await system.spawn(A.quitter, undefined, { name, placement: { executor: 1 } });
    const g = await system.spawn(A.gate, undefined, { placement: { executor: 1 } });
    const w = await system.spawn(A.watcher, undefined, { placement: { executor: 2 } });
    // As above: q leaves executor 1 with `quit` queued, and executor 1 is held, so q stops on arrival.
    q.tell({ type: 'quit' });
    const moved = system.migrate(q, { executor: 2 });
    const held = g.ask<boolean>({ type: 'hold', path: flag, maxMs: 10_000 }, { timeoutMs: 20_000 });
    try {
      await expect
        .poll(
          () => events.some((e) => e.type === 'actor.stopped' && (e.actor as { id: number }).id === q.id),
          { timeout: 8000 },
        )
        .toBe(true);
      // A watch from q's new executor now waits behind the fence.
      expect(await w.ask({ type: 'watch', ref: q })).toBe(true);
    } finally {
      writeFileSync(flag, '');
    }
    expect(await held).toBe(true);
    await moved;
    await expect.poll(() => w.ask<string[]>({ type: 'got' })).toEqual([`${q.id}:stopped`]);
    expect(system.lookup(name)).toBeUndefined();
    const again = await system.spawn(A.quitter, undefined, { name, placement: { executor: 3 } });
    expect(system.lookup(name)?.id).toBe(again.id);
    sub.unsubscribe();
    rmSync(flag);
  }, 30_000);

  it('a moved actor whose state cannot be restored is gone: what it took along is dead-lettered, its watchers told', async () => {
    const dead: DeadLetter[] = [];
    const events: AnyTroupeEvent[] = [];
    const s1 = system.deadLetters$.subscribe((d) => dead.push(d));
    const s2 = system.events$.subscribe((e) => events.push(e));
    const name = `spoilable-${Date.now()}`;
    const x = await system.spawn(A.spoilable, undefined, { name, placement: { executor: 1 } });
    const w = await system.spawn(A.watcher, undefined, { placement: { executor: 3 } });
    expect(await w.ask({ type: 'watch', ref: x })).toBe(true);
    x.tell({ type: 'spoil' });
    expect(await x.ask({ type: 'get' })).toBe(true);
    // One batch: the ask joins x's mailbox and leaves with it; executor 2 cannot restore x.
    const asked = x.ask({ type: 'get' }).then(
      () => 'answered',
      (e: unknown) => e,
    );
    await system.migrate(x, { executor: 2 });
    const err = await asked;
    expect(isActorStoppedError(err)).toBe(true);
    expect((err as { context: { reason: string } }).context.reason).toBe('failed');
    await expect.poll(() => w.ask<string[]>({ type: 'got' })).toEqual([`${x.id}:failed`]);
    await expect
      .poll(() => events.find((e) => e.type === 'migration.failed' && e.id === x.id))
      .toMatchObject({ error: expect.stringMatching(/spoiled state/) });
    expect(dead.filter((d) => d.recipient?.id === x.id).map((d) => d.reason)).toEqual(['failed']);
    expect(system.lookup(name)).toBeUndefined();
    expect((await system.spawn(A.spoilable, undefined, { name })).id).not.toBe(x.id);
    s1.unsubscribe();
    s2.unsubscribe();
  });

  it('accounts for every message (sent = processed + dead-lettered)', async () => {
    await system.syncStats();
    const s = system.stats();
    expect(s.inFlight).toBe(0);
    expect(s.sent).toBe(s.processed + s.deadLettered.total);
  });
});

describe('startup failures', () => {
  it('reports an actor module that fails to load with its cause', async () => {
    const broken = new URL('./fixtures/threaded/broken.ts', import.meta.url);
    const err = await createSystem({ actors: broken, executors: 2 }).catch((e: unknown) => e);
    expect(isConfigError(err)).toBe(true);
    expect(String((err as Error).message) + String((err as { cause?: Error }).cause?.message)).toMatch(
      /intentional/,
    );
  });

  it('rejects a bad topology as a ConfigError', async () => {
    await expect(createSystem({ actors, executors: 1, topology: { groups: [[0], [0]] } })).rejects.toSatisfy(
      (e: unknown) => isConfigError(e) && /options\.topology\.groups/.test((e as Error).message),
    );
  });
});

describe('plain parent/child links cross threads (more in links-threaded.test.ts)', () => {
  it('migrates a child and its plain parent; stopping the parent stops the child', async () => {
    const p = await system.spawn(A.parent, undefined, { placement: { executor: 1 } });
    const child = await p.ask<ActorRef>({ type: 'spawn', placement: 'local' });
    await system.migrate(child, { executor: 2 });
    await system.migrate(p, { executor: 3 });
    expect(await where(child)).toBe(threadOf(2));
    // The parent terminates only after its child did (stop cascade across threads).
    await system.stop(p);
    await expect(where(child)).rejects.toThrow();
  });
});

describe('events and dead letters from every executor', () => {
  it('forwards lifecycle events and dead letters to the main thread', async () => {
    const events: AnyTroupeEvent[] = [];
    const dead: DeadLetter[] = [];
    const s1 = system.events$.subscribe((e) => events.push(e));
    const s2 = system.deadLetters$.subscribe((d) => dead.push(d));
    const r = await system.spawn(A.where, undefined, { placement: { executor: 2 } });
    await system.stop(r);
    r.tell({ type: 'add', n: 1 });
    await expect.poll(() => dead.length).toBe(1);
    expect(dead[0]).toMatchObject({ reason: 'stopped', recipient: { id: r.id } });
    await expect
      .poll(() =>
        events.filter((e) => 'actor' in e && (e.actor as { id: number }).id === r.id).map((e) => e.type),
      )
      .toEqual(expect.arrayContaining(['actor.spawned', 'actor.stopped']));
    s1.unsubscribe();
    s2.unsubscribe();
  });
});
