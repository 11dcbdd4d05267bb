import { type ActorRef, type ActorSystem, createSystem, isConfigError } from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
let system: ActorSystem | undefined;

afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

describe('executors on worker threads', () => {
  it('runs actors on distinct threads', async () => {
    system = await createSystem({ actors, executors: 2, topology: { groups: [[0], [1]] } });
    const refs: ActorRef[] = [];
    for (let i = 1; i <= 2; i++)
      refs.push(await system.spawn(A.where, undefined, { placement: { executor: i } }));
    const tids = await Promise.all(refs.map((r) => r.ask<number>({ type: 'where' })));
    expect(new Set(tids).size).toBe(2);
    expect(tids).not.toContain(0);
    const m = system.metrics();
    expect(m.executors.map((e) => e.threadId).sort()).toEqual([...tids].sort());
    expect(m.executors.map((e) => e.group)).toEqual([0, 1]);
  });
});

describe('executor count and topology', () => {
  it("'auto' starts one executor per usable CPU of the topology", async () => {
    system = await createSystem({ actors, executors: 'auto', topology: { groups: [[0], [1], [2]] } });
    expect(system.metrics().executors.map((e) => e.group)).toEqual([0, 1, 2]);
    expect(new Set(system.metrics().executors.map((e) => e.threadId)).size).toBe(3);
  });

  it('TROUPE_TOPOLOGY sets the groups; a bad value is a ConfigError naming it', async () => {
    const prev = process.env.TROUPE_TOPOLOGY;
    try {
      process.env.TROUPE_TOPOLOGY = '0,1';
      system = await createSystem({ actors, executors: 2 });
      expect(system.metrics().groups.map((g) => g.executors)).toEqual([[1], [2]]);
      await system.terminateExecutors();
      system = undefined;
      process.env.TROUPE_TOPOLOGY = '1-0';
      await expect(createSystem({ actors, executors: 2 })).rejects.toSatisfy(
        (e: unknown) => isConfigError(e) && /TROUPE_TOPOLOGY/.test((e as Error).message),
      );
    } finally {
      if (prev === undefined) delete process.env.TROUPE_TOPOLOGY;
      else process.env.TROUPE_TOPOLOGY = prev;
    }
  });
});

describe('event options on executors', () => {
  // A subscriber turns per-message events on ('auto'); the system's options must hold on every thread.
  for (const [perMessage, expected] of [
    ['auto', true],
    ['off', false],
  ] as const)
    it(`perMessage '${perMessage}': executors ${expected ? 'send' : 'do not send'} per-message events`, async () => {
      system = await createSystem({ actors, executors: 1, events: { perMessage } });
      const types = new Set<string>();
      system.events$.subscribe((e) => types.add(e.type));
      const w = await system.spawn(A.where, undefined, { placement: { executor: 1 } });
      for (let i = 0; i < 20; i++) w.tell({ type: 'add', n: 1 });
      expect(await w.ask<number>({ type: 'get' })).toBe(20);
      // The executor's events are forwarded ahead of the answer on the same channel.
      expect(types.has('actor.spawned')).toBe(true);
      expect(types.has('message.processed')).toBe(expected);
    });
});

describe('deferred replies across executors', () => {
  it('a reply deferred into the state is given after the actor moved, to the main thread and to an actor', async () => {
    system = await createSystem({ actors, executors: 2, stealing: false, compaction: false });
    const d = await system.spawn(A.deferrer, undefined, { placement: { executor: 1 } });
    const t = await system.spawn(A.taker, undefined, { placement: { executor: 2 } });
    const fromMain = d.ask<{ value: number; thread: number }>({ type: 'take' });
    const fromActor = t.ask<{ value: number; thread: number }>({ type: 'relayTake', to: d });
    // Both answers are owed from the state before the move, and given after it.
    await expect.poll(() => d.ask<number>({ type: 'owed' }), { interval: 5 }).toBe(2);
    const before = await d.ask<number>({ type: 'where' });
    await system.migrate(d, { executor: 2 });
    const after = await d.ask<number>({ type: 'where' });
    expect(after).not.toBe(before);
    d.tell({ type: 'give', value: 1 });
    d.tell({ type: 'give', value: 2 });
    const answers = [await fromMain, await fromActor];
    expect(answers.map((a) => a.value).sort()).toEqual([1, 2]);
    expect(answers.map((a) => a.thread)).toEqual([after, after]);
  });
});
