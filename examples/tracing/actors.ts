/**
 * A small order pipeline: parse → price → store, each stage its own actor.
 * Every executor imports this module: definitions only.
 */
import { trace } from '@opentelemetry/api';
import { type ActorRef, defineActor } from '@troupe/runtime';

export type Order = { type: 'order'; id: number; raw: string };
export type Priced = { type: 'priced'; id: number; item: string; cents: number };
export type StoreMsg = Priced | { type: 'stored' };

export const Store = defineActor('store', {
  init: () => [] as Priced[],
  receive(rows: Priced[], m: StoreMsg, ctx) {
    if (m.type === 'stored') {
      ctx.reply(rows.length);
      return rows;
    }
    // The user's own span: it nests under the `process store` span.
    return trace.getTracer('example').startActiveSpan('db.insert', (span) => {
      span.setAttribute('order.id', m.id);
      span.end();
      return [...rows, m];
    });
  },
});

export const Pricer = defineActor('pricer', {
  init: (p: { store: ActorRef<StoreMsg> }) => p.store,
  async receive(store: ActorRef<StoreMsg>, m: { type: 'parsed'; id: number; item: string }, ctx) {
    await new Promise((r) => setTimeout(r, 2)); // a price lookup
    if (m.item === '') throw new Error(`order ${m.id}: no item`);
    ctx.tell(store, { type: 'priced', id: m.id, item: m.item, cents: m.item.length * 100 });
    return store;
  },
});

export const Parser = defineActor('parser', {
  init: (p: { pricer: ActorRef<{ type: 'parsed'; id: number; item: string }> }) => p.pricer,
  receive(pricer, m: Order, ctx) {
    ctx.tell(pricer, { type: 'parsed', id: m.id, item: m.raw.trim() });
    return pricer;
  },
});
