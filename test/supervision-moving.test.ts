/**
 * Supervisors move between executors (issue 17 item 3; runtime features/supervision/moving.ts): a
 * sub-supervisor at rest migrates with its children spread over both executors, and its restart
 * strategies still restart the right children, one by one in start order, across threads.
 */
import {
  type ActorRef,
  type ActorSystem,
  createSystem,
  isConfigError,
  type SupervisorHandle,
} from '@troupe/runtime';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrderedMsg } from './fixtures/supervision-actors.ts';

const actors = new URL('./fixtures/supervision-actors.ts', import.meta.url);
let system: ActorSystem | undefined;

afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

const IDS = ['a', 'b', 'c', 'd'];
type Strategy = 'one-for-one' | 'one-for-all' | 'rest-for-one';

/** top (stays) → pool (moves) → a, b, c, d spread over both executors. */
async function movedPool(
  strategy: Strategy,
  beforeMove?: (refs: ActorRef<OrderedMsg>[], pool: SupervisorHandle) => Promise<void>,
) {
  const s = await createSystem({
    actors,
    executors: 2,
    topology: { groups: [[0], [1]] },
    stealing: false,
    compaction: false,
  });
  system = s;
  const events: Array<{
    type: string;
    child?: string;
    supervisorId?: string;
    actor?: { id: number };
    to?: number;
  }> = [];
  s.events$.subscribe((e) => events.push(e as never));
  await s.syncStats(); // a round trip behind the subscription: executors forward events from here on
  const h = await s.start({
    id: 'top',
    children: [
      {
        id: 'pool',
        supervisor: {
          strategy,
          intensity: { maxRestarts: 10, withinMs: 60_000 },
          children: IDS.map((id) => ({ id, actor: 'ordered' })),
        },
      },
    ],
  });
  const pool = await h.supervisor('pool');
  const home = pool.ref.id % 1024;
  const other = home === 1 ? 2 : 1;
  const refs = (await pool.children()).map((r) => r.ref as ActorRef<OrderedMsg>);
  await beforeMove?.(refs, pool);
  const moved = firstValueFrom(
    s.events$.pipe(
      filter((e) => e.type === 'actor.migrated' && (e as { actor: { id: number } }).actor.id === pool.ref.id),
    ),
  );
  await s.migrate(pool.ref, { executor: other });
  expect(await moved).toMatchObject({ from: home, to: other });
  const restarted = () =>
    events
      .filter((e) => e.type === 'supervisor.child-restarted' && e.supervisorId === 'pool')
      .map((e) => e.child);
  const initOrder = async () => {
    const born = await Promise.all(refs.map((r) => r.ask<[number, number]>({ type: 'born' })));
    const t = born.map(([sec, ns], i) => ({ id: IDS[i]!, t: BigInt(sec) * 1_000_000_000n + BigInt(ns) }));
    return t.sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : 0)).map((x) => x.id);
  };
  return { s, h, pool, refs, home, other, restarted, initOrder };
}

describe('a supervisor moves to another executor with its children on both', () => {
  it.each([
    ['one-for-one', ['b']],
    ['one-for-all', ['a', 'b', 'c', 'd']],
    ['rest-for-one', ['b', 'c', 'd']],
  ] as const)(
    '%s: the moved supervisor restarts the right children, in start order',
    async (strategy, order) => {
      const { s, pool, refs, restarted, initOrder } = await movedPool(strategy);
      const threads = await Promise.all(refs.map((r) => r.ask<number>({ type: 'where' })));
      expect(new Set(threads).size).toBe(2);
      refs[1]!.tell({ type: 'boom' });
      await expect.poll(() => restarted().length).toBe(order.length);
      expect(restarted()).toEqual(order);
      const expected =
        strategy === 'one-for-one'
          ? ['a', 'c', 'd', 'b']
          : strategy === 'one-for-all'
            ? IDS
            : ['a', ...order];
      expect(await initOrder()).toEqual(expected);
      // Restarted in place (same refs), each where it ran; the records moved with the supervisor.
      const rows = await pool.children();
      expect(rows.map((r) => r.ref?.id)).toEqual(refs.map((r) => r.id));
      expect(rows.map((r) => [r.id, r.alive, r.restarts])).toEqual(
        IDS.map((id) => [id, true, order.includes(id as never) ? 1 : 0]),
      );
      expect(await Promise.all(refs.map((r) => r.ask<number>({ type: 'where' })))).toEqual(threads);
      await s.syncStats();
      const st = s.stats();
      expect(st.inFlight).toBe(0);
      expect(st.sent).toBe(st.processed + st.deadLettered.total);
      expect(st.deadLettered.byReason.failed).toBe(1);
    },
  );

  it('the intensity window moves with the supervisor: 6 restarts before, the 5th after the move escalates', async () => {
    const boom = async (r: ActorRef<OrderedMsg>) => {
      r.tell({ type: 'boom' });
      await r.ask({ type: 'born' }); // answered once restarted (a restart keeps the mailbox)
    };
    const { s, h, refs, pool } = await movedPool('one-for-one', async (refs, pool) => {
      for (let i = 0; i < 6; i++) await boom(refs[0]!);
      // At rest before it moves: the last restart's report has reached it.
      await expect.poll(async () => (await pool.children())[0]?.restarts).toBe(6);
    });
    // maxRestarts 10 within 60 s: with the 6 before the move, 4 more pass and the 5th escalates.
    for (let i = 0; i < 4; i++) await boom(refs[1]!);
    await expect.poll(async () => (await pool.children()).map((r) => r.restarts)).toEqual([6, 4, 0, 0]);
    const escalated = firstValueFrom(
      s.events$.pipe(
        filter(
          (e) =>
            e.type === 'supervisor.escalated' && (e as { supervisorId?: string }).supervisorId === 'pool',
        ),
      ),
    );
    refs[2]!.tell({ type: 'boom' });
    expect(await escalated).toMatchObject({ child: 'c', reason: 'intensity' });
    // Its parent (on the other executor) restarts it: a fresh pool with fresh children.
    await expect.poll(async () => (await h.children())[0]?.restarts).toBe(1);
    const pool2 = await h.supervisor('pool');
    expect(pool2.ref.id).not.toBe(pool.ref.id);
    expect((await pool2.children()).map((r) => [r.alive, r.restarts])).toEqual(IDS.map(() => [true, 0]));
  });

  it('a top-level supervisor stays: system.migrate refuses it with a ConfigError naming why', async () => {
    const { s, h, home } = await movedPool('one-for-one');
    await expect(s.migrate(h.ref, { executor: home === 1 ? 2 : 1 })).rejects.toSatisfy(
      (e: unknown) => isConfigError(e) && /top-level supervisor/.test((e as Error).message),
    );
  });
});
