/**
 * Savina Counting: a producer sends N increments to a counter, then asks for
 * the count. The producer is an actor so that, with executors, the N tells
 * happen on an executor like in Savina, not across the main thread's port.
 */
import { type ActorRef, defineActor } from '@troupe/runtime';

export const INC = Object.freeze({ type: 'inc' as const });
export const GET = Object.freeze({ type: 'get' as const });
export type CounterMsg = typeof INC | typeof GET;

export const Counter = defineActor('bench.counting.counter', {
  init: () => 0,
  receive(n: number, msg: CounterMsg, ctx) {
    // By type, not identity: across threads a message arrives as a copy.
    if (msg.type === 'inc') return n + 1;
    ctx.reply(n);
    return n;
  },
});

export type ProducerMsg = {
  readonly type: 'run';
  readonly counter: ActorRef<CounterMsg>;
  readonly n: number;
};

export const Producer = defineActor('bench.counting.producer', {
  init: () => null,
  async receive(s: null, msg: ProducerMsg, ctx) {
    const counter = msg.counter;
    for (let i = 0; i < msg.n; i++) counter.tell(INC);
    ctx.reply(await ctx.ask<number>(counter, GET, { timeoutMs: 600_000 }));
    return s;
  },
});
