/**
 * Reply types follow from the message (src/reply.ts). The assertions here are
 * type-level: `npm run typecheck` compiles this file, so an `expectTypeOf`
 * that does not hold, or a `@ts-expect-error` line that stops erroring, fails
 * the build. The run-time part checks the values match their types.
 */
import {
  type ActorContext,
  type ActorRef,
  type Ask,
  type Backoff,
  type ChildSpec,
  type ChildSupervision,
  createSystem,
  type DeadlockCycleEntry,
  defineActor,
  type ExecutorMetrics,
  type FaultCounts,
  type FaultOptions,
  type GroupMetrics,
  type Placement,
  type RepliesOf,
  type ReplyOf,
  type ResolvedOptions,
  type RetryPolicy,
  type SchedulerMetrics,
  type SchedulerOptions,
  SimulatedClock,
  type WaitNode,
} from '@troupe/runtime';
import { describe, expect, expectTypeOf, it } from 'vitest';

type Inc = { type: 'inc' };
type Get = Ask<number, { type: 'get' }>;
interface Name extends Ask<string> {
  type: 'name';
}
type CounterMsg = Inc | Get | Name;

const Counter = defineActor('typed-counter', {
  init: () => ({ n: 0 }),
  receive(state, msg: CounterMsg, ctx) {
    if (msg.type === 'get') ctx.reply(state.n);
    if (msg.type === 'name') ctx.reply('counter');
    return msg.type === 'inc' ? { n: state.n + 1 } : state;
  },
});

/** Every message declares its reply: `ctx.reply` takes only those. */
type Query = Ask<number, { type: 'count' }> | Ask<string, { type: 'label' }>;
const Strict = defineActor('typed-strict', {
  init: () => null,
  receive(state, msg: Query, ctx) {
    if (msg.type === 'count') ctx.reply(1);
    else ctx.reply('one');
    // @ts-expect-error a boolean is no declared reply of Query
    const wrong = () => ctx.reply(true);
    void wrong;
    return state;
  },
});

const Relay = defineActor('typed-relay', {
  init: () => null,
  async receive(state, msg: Ask<number, { type: 'relay'; to: ActorRef<CounterMsg> }>, ctx) {
    const n = await ctx.ask(msg.to, { type: 'get' });
    expectTypeOf(n).toEqualTypeOf<number>();
    // @ts-expect-error the counter answers get with a number
    const wrong = async (): Promise<string> => await ctx.ask(msg.to, { type: 'get' });
    void wrong;
    ctx.reply(n);
    return state;
  },
});

describe('reply types follow from the message', () => {
  it('ask returns what the message declares, and a mismatch does not compile', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const c = system.spawnSync(Counter, undefined);
    c.tell({ type: 'inc' });
    const n = await c.ask({ type: 'get' });
    expectTypeOf(n).toEqualTypeOf<number>();
    expect(n).toBe(1);
    const name = await c.ask({ type: 'name' });
    expectTypeOf(name).toEqualTypeOf<string>();
    expect(name).toBe('counter');

    // The case: `const n: number = await ref.ask(msg)` compiled whatever the actor replied.
    // @ts-expect-error get is answered with a number, not a string
    const mismatch = async (): Promise<string> => await c.ask({ type: 'get' });
    // @ts-expect-error not a message of the counter
    const foreign = () => c.ask({ type: 'bogus' });
    void mismatch;
    void foreign;

    // A message that declares nothing answers unknown, or what ask<R> names by hand (as before).
    expectTypeOf(() => c.ask({ type: 'inc' })).returns.toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(() => c.ask<number>({ type: 'inc' })).returns.toEqualTypeOf<Promise<number>>();
    // A value typed as the whole union gets every reply (here: unknown, inc declares none).
    const any = { type: 'get' } as CounterMsg;
    expectTypeOf(() => c.ask(any)).returns.toEqualTypeOf<Promise<unknown>>();

    // A typed ref is still a ref, and an untyped ref takes what the message declares.
    const plain: ActorRef = c;
    expectTypeOf(() => plain.ask({ type: 'get' } as Get)).returns.toEqualTypeOf<Promise<number>>();
    expect(await plain.ask({ type: 'get' } as Get)).toBe(1);

    const s = system.spawnSync(Strict, undefined);
    const count = await s.ask({ type: 'count' });
    const label = await s.ask({ type: 'label' });
    expectTypeOf(count).toEqualTypeOf<number>();
    expectTypeOf(label).toEqualTypeOf<string>();
    expect([count, label]).toEqual([1, 'one']);

    const r = system.spawnSync(Relay, undefined);
    const relayed = await r.ask({ type: 'relay', to: c });
    expectTypeOf(relayed).toEqualTypeOf<number>();
    expect(relayed).toBe(1);
    await system.shutdown();
  });

  it('the helper types', () => {
    expectTypeOf<ReplyOf<Get>>().toEqualTypeOf<number>();
    expectTypeOf<ReplyOf<Name>>().toEqualTypeOf<string>();
    expectTypeOf<ReplyOf<Inc>>().toEqualTypeOf<unknown>();
    expectTypeOf<RepliesOf<Query>>().toEqualTypeOf<number | string>();
    expectTypeOf<RepliesOf<CounterMsg>>().toEqualTypeOf<unknown>();
    expectTypeOf<Parameters<ActorContext<Query>['reply']>[0]>().toEqualTypeOf<number | string>();
    // ctx.ask picks the member by the message's literals, arrays included.
    type Batch = Ask<number, { type: 'batch'; items: number[] }>;
    const ctx = {} as ActorContext;
    const ref = {} as ActorRef<Batch | CounterMsg>;
    expectTypeOf(() => ctx.ask(ref, { type: 'batch', items: [1, 2] })).returns.toEqualTypeOf<
      Promise<number>
    >();
    expectTypeOf(() => ctx.ask(ref, { type: 'name' })).returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf(() => ctx.ask<boolean>(ref, { type: 'inc' })).returns.toEqualTypeOf<Promise<boolean>>();
  });

  it('every type a user names is exported', () => {
    // Compiles only if each is exported from @troupe/runtime.
    expectTypeOf<SchedulerMetrics['executors'][number]>().toEqualTypeOf<ExecutorMetrics>();
    expectTypeOf<SchedulerMetrics['groups'][number]>().toEqualTypeOf<GroupMetrics>();
    expectTypeOf<NonNullable<SchedulerMetrics['faults']>>().toEqualTypeOf<FaultCounts>();
    expectTypeOf<Placement>().toMatchTypeOf<'local' | 'spread' | object>();
    expectTypeOf<SchedulerOptions>().toMatchTypeOf<FaultOptions>();
    expectTypeOf<ResolvedOptions['scheduler']['faults']['hangTimeoutMs']>().toEqualTypeOf<number | false>();
    expectTypeOf<DeadlockCycleEntry['waitingForMs']>().toEqualTypeOf<number>();
    expectTypeOf<WaitNode>().toHaveProperty('id');
    expectTypeOf<ChildSpec['kind']>().toEqualTypeOf<'worker' | 'supervisor'>();
    expectTypeOf<Backoff['minMs']>().toEqualTypeOf<number>();
    expectTypeOf<RetryPolicy['attempts']>().toEqualTypeOf<number>();
    expectTypeOf<ChildSupervision>().toHaveProperty('intensity');
  });
});
