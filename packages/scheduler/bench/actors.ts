/** Actor module for the scheduler benchmarks (imported by every executor). */
import { type ActorRef, defineActor } from '@troupe/runtime';

/** Counts what it receives. */
export const sink = defineActor('sink', {
  init: () => 0,
  receive: (n: number, msg: number | { type: 'count' }, ctx) => {
    if (typeof msg === 'number') return n + 1;
    ctx.reply(n);
    return n;
  },
});

/** Sends `n` numbers to `to`, `chunk` per turn (so batches leave between turns). */
export const source = defineActor('source', {
  init: () => ({ to: null as ActorRef<number> | null, left: 0, chunk: 1000 }),
  receive: (
    s: { to: ActorRef<number> | null; left: number; chunk: number },
    msg: { type: 'go'; to: ActorRef<number>; n: number; chunk: number } | { type: 'more' },
    ctx,
  ) => {
    if (msg.type === 'go') {
      s.to = msg.to;
      s.left = msg.n;
      s.chunk = msg.chunk;
    }
    const k = Math.min(s.chunk, s.left);
    const to = s.to!;
    for (let i = 0; i < k; i++) to.tell(i);
    s.left -= k;
    if (s.left > 0) ctx.tell(ctx.self, { type: 'more' });
    return s;
  },
});

/** Burns CPU per message: the skewed-load workload. */
export const spinner = defineActor('spinner', {
  init: () => 0,
  receive: (n: number, msg: { type: 'spin'; us: number } | { type: 'get' }, ctx) => {
    if (msg.type === 'spin') {
      const end = performance.now() + msg.us / 1000;
      while (performance.now() < end) {}
      return n + 1;
    }
    ctx.reply(n);
    return n;
  },
});
