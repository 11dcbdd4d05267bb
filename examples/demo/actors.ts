import { defineActor, fromMachine } from '@troupe/runtime';
import { createMachine } from 'xstate';

export type CounterMsg = { type: 'inc' } | { type: 'get' };

export const Counter = defineActor('counter', {
  init: (props: { start: number }) => ({ n: props.start }),
  receive(state, msg: CounterMsg, ctx) {
    if (msg.type === 'get') ctx.reply(state.n);
    return msg.type === 'inc' ? { n: state.n + 1 } : state;
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
