import { type ActorRef, type ActorSystem, createSystem } from '@troupe/runtime';
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
