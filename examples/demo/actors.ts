import { threadId } from 'node:worker_threads';
import { type Ask, defineActor, fromMachine } from '@troupe/runtime';
import { createMachine } from 'xstate';

/** `get` and `where` declare their replies: `c.ask({ type: 'get' })` is a Promise<number>. */
export type CounterMsg = { type: 'inc' } | Ask<number, { type: 'get' }> | Ask<number, { type: 'where' }>;

/** The SPEC's counter, plus `where` to show which executor thread runs it. */
export const Counter = defineActor('counter', {
  init: (props: { start: number }) => ({ n: props.start }),
  receive(state, msg: CounterMsg, ctx) {
    if (msg.type === 'get') ctx.reply(state.n);
    if (msg.type === 'where') ctx.reply(threadId);
    return msg.type === 'inc' ? { n: state.n + 1 } : state;
  },
});

/** CPU-bound work so the executors have something to share. */
export const Cruncher = defineActor('cruncher', {
  init: () => ({ done: 0 }),
  receive(
    state,
    msg: { type: 'crunch'; n: number } | Ask<{ done: number; thread: number }, { type: 'done' }>,
    ctx,
  ) {
    if (msg.type === 'done') {
      ctx.reply({ done: state.done, thread: threadId });
      return state;
    }
    let x = 0;
    for (let i = 0; i < msg.n; i++) x = (x + i * i) % 1_000_003;
    return { done: state.done + (x >= 0 ? 1 : 0) };
  },
});

const doorMachine = createMachine({
  id: 'door',
  initial: 'closed',
  states: {
    closed: { on: { open: 'opened' } },
    opened: { on: { close: 'closed' } },
  },
});

export const Door = defineActor('door', fromMachine(doorMachine));
