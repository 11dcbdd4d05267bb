/**
 * Restarts happen in start order (OTP): under one-for-all and rest-for-one the
 * affected children re-initialise one by one, each before the next, and the
 * `supervisor.child-restarted` events tell that same order.
 */
import { type ActorRef, defineActor, supervisor } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { makeSystem, ofType, settle } from './supervision-helpers.ts';

interface Props {
  id: string;
  /** Every init appends `id` (or `id!` when it fails): the order in which children re-initialised. */
  log: string[];
  /** init fails while count > 0. */
  fail?: { count: number };
  /** `hold` keeps the handler pending until this resolves. */
  gate?: Promise<void>;
}

const Logged = defineActor('logged', {
  init: (p: Props) => {
    if (p.fail !== undefined && p.fail.count > 0) {
      p.fail.count--;
      p.log.push(`${p.id}!`);
      throw new Error(`${p.id}: init failed`);
    }
    p.log.push(p.id);
    return p;
  },
  receive(s, m: 'boom' | 'hold') {
    if (m === 'boom') throw new Error('boom');
    return (s.gate ?? Promise.resolve()).then(() => s);
  },
});

const IDS = ['a', 'b', 'c', 'd'];

async function start(
  strategy: 'one-for-all' | 'rest-for-one',
  extra: Partial<Record<string, Partial<Props>>> = {},
  backoff?: { minMs: number; maxMs: number },
) {
  const log: string[] = [];
  const { system, clock, events } = await makeSystem({ actors: { Logged } });
  const tree = await system.start(
    supervisor({
      id: 'app',
      strategy,
      intensity: { maxRestarts: 20, withinMs: 10_000 },
      ...(backoff !== undefined ? { backoff } : {}),
      children: IDS.map((id) => ({ id, actor: Logged, props: { id, log, ...extra[id] } })),
    }),
  );
  expect(log).toEqual(IDS);
  log.length = 0;
  const refs = (await tree.children()).map((r) => r.ref as ActorRef<'boom' | 'hold'>);
  const restarted = () => ofType(events, 'supervisor.child-restarted').map((e) => e.child);
  const reinits = () => {
    const byId = new Map(refs.map((r, i) => [r.id, IDS[i]]));
    return ofType(events, 'actor.restarted').map((e) => byId.get(e.actor.id));
  };
  return { system, clock, tree, log, refs, restarted, reinits };
}

describe('supervision: restarts in start order', () => {
  it.each([
    ['one-for-all', ['a', 'b', 'c', 'd']],
    ['rest-for-one', ['b', 'c', 'd']],
  ] as const)('%s: children re-run init in start order, and the events say so', async (strategy, order) => {
    const { system, log, refs, restarted, reinits } = await start(strategy);
    refs[1]!.tell('boom');
    await settle();
    expect(log).toEqual(order);
    expect(reinits()).toEqual(order);
    expect(restarted()).toEqual(order);
    await system.shutdown();
  });

  it('each child is back before the next restarts: a sibling busy in a handler holds up the later ones', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const { system, tree, log, refs, restarted } = await start('one-for-all', { a: { gate } });
    refs[0]!.tell('hold'); // a is inside a pending handler: its restart waits for it to end
    await settle();
    refs[2]!.tell('boom');
    await settle();
    expect(log).toEqual([]);
    expect((await tree.children()).map((r) => r.status)).toEqual([
      'restarting',
      'restarting',
      'restarting',
      'restarting',
    ]);
    open();
    await settle();
    expect(log).toEqual(IDS);
    expect(restarted()).toEqual(IDS);
    expect((await tree.children()).map((r) => [r.status, r.restarts])).toEqual(IDS.map(() => ['running', 1]));
    await system.shutdown();
  });

  it('a re-init that fails holds up the later children until it is back (backoff on the injected clock)', async () => {
    const fail = { count: 0 };
    const { system, clock, tree, log, refs, restarted } = await start(
      'one-for-all',
      { b: { fail } },
      { minMs: 10, maxMs: 1000 },
    );
    fail.count = 1;
    refs[3]!.tell('boom');
    await settle();
    expect(log).toEqual([]); // the backoff delay has not passed
    clock.advance(10);
    await settle();
    // a is back, b failed at init: c and d must not start before b (one-for-all restarts a again).
    expect(log).toEqual(['a', 'b!']);
    clock.advance(20);
    await settle();
    expect(log).toEqual(['a', 'b!', 'a', 'b', 'c', 'd']);
    expect(restarted()).toEqual(['a', 'b', 'a', 'b', 'c', 'd']);
    expect((await tree.children()).map((r) => r.status)).toEqual(IDS.map(() => 'running'));
    await system.shutdown();
  });
});
