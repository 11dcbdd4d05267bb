/**
 * Actor names are unique system-wide in threaded mode: a name claimed on one
 * executor is taken on every other (system.spawn rejects, ctx.spawn throws at
 * once), system.lookup sees it as soon as the claim returns, a stop frees it,
 * a migration keeps it, and a lost executor's names are freed.
 */
import {
  type ActorRef,
  type ActorSystem,
  createSystem,
  isDuplicateNameError,
  isNameLimitError,
} from '@troupe/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as A from './fixtures/names-actors.ts';

const actors = new URL('./fixtures/names-actors.ts', import.meta.url);
let system: ActorSystem;

beforeAll(async () => {
  system = await createSystem({ actors, executors: 3, stealing: false });
});
afterAll(async () => {
  await system.terminateExecutors();
});

const threadOf = (node: number) => system.metrics().executors.find((e) => e.id === node)!.threadId;
const spawnNamed = (executor: number, name: string) =>
  system.spawn(A.where, undefined, { name, placement: { executor } });
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('names unique system-wide (threaded)', () => {
  it('the same name spawned on executor 1 then executor 2: the second rejects with DuplicateNameError', async () => {
    const first = await spawnNamed(1, 'dup-1');
    const err = await rejection(spawnNamed(2, 'dup-1'));
    expect(isDuplicateNameError(err)).toBe(true);
    expect(err).toMatchObject({ context: { name: 'dup-1', existing: { id: first.id } } });
    expect(system.lookup('dup-1')?.id).toBe(first.id);
  });

  it('ctx.spawn with a name held on another executor throws DuplicateNameError synchronously', async () => {
    const held = await spawnNamed(1, 'dup-ctx');
    const namer = await system.spawn(A.namer, undefined, { placement: { executor: 2 } });
    expect(await namer.ask<A.Spawned>({ type: 'spawn', name: 'dup-ctx' })).toEqual({
      ok: false,
      code: 'duplicate-name',
      holder: held.id,
    });
    // …and the other way round: a name ctx.spawn claimed on executor 2 is taken for executor 3.
    const made = await namer.ask<A.Spawned>({ type: 'spawn', name: 'by-ctx' });
    expect(made.ok).toBe(true);
    const id = (made as { id: number }).id;
    expect(system.lookup('by-ctx')?.id).toBe(id);
    const err = await rejection(spawnNamed(3, 'by-ctx'));
    expect(err).toMatchObject({ code: 'duplicate-name', context: { existing: { id } } });
  });

  it('system.lookup finds an actor on an executor right after spawn resolves, and it answers', async () => {
    const ref = await spawnNamed(3, 'look-3');
    const found = system.lookup('look-3');
    expect(found?.id).toBe(ref.id);
    expect(await found!.ask({ type: 'where' })).toBe(threadOf(3));
    expect(system.lookup('never-spawned')).toBeUndefined();
  });

  it('after stop the name is free again, on any executor', async () => {
    const a = await spawnNamed(1, 'reuse');
    await system.stop(a);
    expect(system.lookup('reuse')).toBeUndefined();
    const b = await spawnNamed(2, 'reuse');
    expect(b.id).not.toBe(a.id);
    expect(system.lookup('reuse')?.id).toBe(b.id);
    expect(await b.ask({ type: 'where' })).toBe(threadOf(2));
  });

  it('a migrated actor keeps its name: same id, still taken everywhere', async () => {
    const ref = await spawnNamed(1, 'mover');
    ref.tell({ type: 'add', n: 5 });
    await system.migrate(ref, { executor: 2 });
    expect(await ref.ask({ type: 'where' })).toBe(threadOf(2));
    expect(system.lookup('mover')?.id).toBe(ref.id);
    expect(isDuplicateNameError(await rejection(spawnNamed(3, 'mover')))).toBe(true);
    expect(isDuplicateNameError(await rejection(spawnNamed(1, 'mover')))).toBe(true);
    const namer = await system.spawn(A.namer, undefined, { placement: { executor: 1 } });
    expect(await namer.ask({ type: 'spawn', name: 'mover' })).toMatchObject({ ok: false, holder: ref.id });
    // Back again, then stopped on its second executor: the name is freed there.
    await system.migrate(ref, { executor: 1 });
    expect(await ref.ask({ type: 'get' })).toBe(5);
    await system.stop(ref);
    expect(system.lookup('mover')).toBeUndefined();
    expect((await spawnNamed(3, 'mover')).id).not.toBe(ref.id);
  });

  it('while an actor migrates back and forth, a claimer spinning on another executor never gets its name', async () => {
    const ref = await spawnNamed(1, 'moving');
    const grabber = await system.spawn(A.namer, undefined, { placement: { executor: 3 } });
    let answer: A.Spawned | undefined;
    const grab = grabber
      .ask<A.Spawned>({ type: 'grab', name: 'moving', ms: 400 }, { timeoutMs: 10_000 })
      .then((a) => {
        answer = a;
      });
    let moves = 0;
    while (answer === undefined) await system.migrate(ref, { executor: moves++ % 2 === 0 ? 2 : 1 });
    await grab;
    expect(moves).toBeGreaterThan(2); // migrations overlapped the claiming loop
    expect(answer).toMatchObject({ ok: false, code: 'duplicate-name' });
    expect(system.lookup('moving')?.id).toBe(ref.id);
  });

  it('concurrent spawns of one name from every executor: exactly one wins', async () => {
    const namers = await Promise.all(
      [1, 2, 3].map((e) => system.spawn(A.namer, undefined, { placement: { executor: e } })),
    );
    for (let round = 0; round < 20; round++) {
      const name = `race-${round}`;
      const answers = await Promise.all(namers.map((n) => n.ask<A.Spawned>({ type: 'spawn', name })));
      const winners = answers.filter((a) => a.ok) as { ok: true; id: number }[];
      expect(winners).toHaveLength(1);
      for (const a of answers)
        if (!a.ok) expect(a).toEqual({ ok: false, code: 'duplicate-name', holder: winners[0]!.id });
      expect(system.lookup(name)?.id).toBe(winners[0]!.id);
    }
  });
});

describe('names and lost executors, name limit', () => {
  it("a lost executor's names are freed", async () => {
    const s = await createSystem({ actors, executors: 2, stealing: false });
    try {
      const doomed = await s.spawn(A.namer, undefined, { name: 'on-doomed', placement: { executor: 1 } });
      expect(s.lookup('on-doomed')?.id).toBe(doomed.id);
      doomed.tell({ type: 'exit' });
      await expect.poll(() => s.lookup('on-doomed'), { timeout: 10_000 }).toBeUndefined();
      const again = await s.spawn(A.where, undefined, { name: 'on-doomed', placement: { executor: 2 } });
      expect(s.lookup('on-doomed')?.id).toBe(again.id);
    } finally {
      await s.terminateExecutors();
    }
  });

  it('maxNames is validated, naming the option', async () => {
    for (const bad of [0, 1.5, 2 ** 24 + 1, '8'])
      expect(await rejection(createSystem({ actors, executors: 1, maxNames: bad as number }))).toMatchObject({
        code: 'config',
        context: { path: 'options.maxNames' },
      });
  });

  it('a full name table rejects with NameLimitError naming the capacity', async () => {
    const s = await createSystem({ actors, executors: 1, stealing: false, maxNames: 2 });
    try {
      await s.spawn(A.where, undefined, { name: 'n1' });
      await s.spawn(A.where, undefined, { name: 'n2' });
      const err = await rejection(s.spawn(A.where, undefined, { name: 'n3' }));
      expect(isNameLimitError(err)).toBe(true);
      expect(err).toMatchObject({ context: { name: 'n3', capacity: 2 } });
      await s.stop(s.lookup('n1') as ActorRef);
      expect((await s.spawn(A.where, undefined, { name: 'n3' })).name).toBe('n3');
    } finally {
      await s.terminateExecutors();
    }
  });
});
