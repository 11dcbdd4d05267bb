import { defineActor } from '@troupe/runtime';

export type JobMsg = { type: 'job'; id: number; fail?: 'crash' | 'transient' } | { type: 'stats' };

/** A worker that crashes on jobs marked `crash` and hiccups once on jobs marked `transient`. */
export const FlakyWorker = defineActor('flaky-worker', {
  init: () => ({ done: 0, hiccups: new Set<number>() }),
  receive(s, m: JobMsg, ctx) {
    if (m.type === 'stats') {
      ctx.reply(s.done);
      return s;
    }
    if (m.fail === 'crash') throw new Error(`job ${m.id} crashed the worker`);
    if (m.fail === 'transient' && !s.hiccups.has(m.id)) {
      s.hiccups.add(m.id);
      return Promise.reject(new Error(`job ${m.id}: transient hiccup`));
    }
    return { ...s, done: s.done + 1 };
  },
});

/** A worker that never fails (to show that siblings keep their state under one-for-one). */
export const Db = defineActor('db', {
  init: () => ({ queries: 0 }),
  receive(s, m: { type: 'query' } | { type: 'stats' }, ctx) {
    if (m.type === 'stats') ctx.reply(s.queries);
    return m.type === 'query' ? { queries: s.queries + 1 } : s;
  },
});
