/**
 * Restarts in start order with the tree on an executor (runtime features/supervision/supervisor.ts flush,
 * executors/links.ts step 6): children re-initialise one by one in start order, also when one of
 * them has moved to another executor, and `supervisor.child-restarted` reports that order.
 */
import { type ActorSystem, createSystem, supervisor } from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrderedMsg } from './fixtures/supervision-actors.ts';

const actors = new URL('./fixtures/supervision-actors.ts', import.meta.url);
let system: ActorSystem | undefined;

afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

const IDS = ['a', 'b', 'c', 'd'];

async function startTree(strategy: 'one-for-all' | 'rest-for-one', placement: 'local' | 'spread' = 'local') {
  const s = await createSystem({ actors, executors: 2, topology: { groups: [[0], [1]] } });
  system = s;
  const events: Array<{ type: string; child?: string; actor?: { id: number } }> = [];
  s.events$.subscribe((e) => events.push(e as never));
  const h = await s.start(
    supervisor({
      id: 'top',
      strategy,
      intensity: { maxRestarts: 10, withinMs: 60_000 },
      children: IDS.map((id) => ({ id, actor: 'ordered', placement })),
    }),
  );
  const refs = (await h.children()).map((r) => r.ref!);
  const born = async () => {
    const times = await Promise.all(refs.map((r) => r.ask<[number, number]>({ type: 'born' } as OrderedMsg)));
    return times.map(([sec, ns], i) => ({ id: IDS[i]!, t: BigInt(sec) * 1_000_000_000n + BigInt(ns) }));
  };
  /** Ids in the order their inits ran (restarted ones after those that were not). */
  const initOrder = async () =>
    (await born()).sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : 0)).map((x) => x.id);
  const restarted = () => events.filter((e) => e.type === 'supervisor.child-restarted').map((e) => e.child);
  const reinits = () => {
    const byId = new Map(refs.map((r, i) => [r.id, IDS[i]]));
    return events.filter((e) => e.type === 'actor.restarted').map((e) => byId.get(e.actor!.id));
  };
  const allRestarted = async (n: number) => {
    await expect.poll(() => restarted().length).toBe(n);
    await s.syncStats();
  };
  return { s, h, refs, initOrder, restarted, reinits, allRestarted };
}

describe('restarts in start order on an executor', () => {
  it.each([
    ['one-for-all', ['a', 'b', 'c', 'd']],
    ['rest-for-one', ['b', 'c', 'd']],
  ] as const)('%s: the children re-run init in start order, as the events say', async (strategy, order) => {
    const { refs, initOrder, restarted, reinits, allRestarted } = await startTree(strategy);
    refs[1]!.tell({ type: 'boom' });
    await allRestarted(order.length);
    expect(restarted()).toEqual(order);
    expect(reinits()).toEqual(order);
    expect(await initOrder()).toEqual(strategy === 'one-for-all' ? IDS : ['a', ...order]);
  });

  // Spread over both executors (the default placement): the inits still run in start order (the
  // process-wide monotonic clock says so); the children's own events come from two threads, so
  // only the supervisor's events are in one order.
  it.each([
    ['one-for-all', ['a', 'b', 'c', 'd']],
    ['rest-for-one', ['b', 'c', 'd']],
  ] as const)(
    '%s with the children spread over both executors: inits in start order',
    async (strategy, order) => {
      const { s, refs, initOrder, restarted, reinits, allRestarted } = await startTree(strategy, 'spread');
      const where = await Promise.all(refs.map((r) => r.ask<number>({ type: 'where' } as OrderedMsg)));
      expect(new Set(where).size).toBe(2);
      refs[1]!.tell({ type: 'boom' });
      await allRestarted(order.length);
      expect(restarted()).toEqual(order);
      expect([...reinits()].sort()).toEqual([...order]);
      expect(await initOrder()).toEqual(strategy === 'one-for-all' ? IDS : ['a', ...order]);
      await s.syncStats();
      const st = s.stats();
      expect(st.inFlight).toBe(0);
      expect(st.sent).toBe(st.processed + st.deadLettered.total);
    },
  );

  it('one-for-all with the first child on another executor: the others wait until it is back', async () => {
    const { s, h, refs, initOrder, restarted, allRestarted } = await startTree('one-for-all');
    const other = h.ref.id % 1024 === 1 ? 2 : 1;
    await s.migrate(refs[0]!, { executor: other });
    refs[2]!.tell({ type: 'boom' });
    await allRestarted(4);
    expect(restarted()).toEqual(IDS);
    expect(await initOrder()).toEqual(IDS);
  });
});
