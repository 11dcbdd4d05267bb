/**
 * Graceful shutdown for a service (Kubernetes-style): SIGTERM stops the HTTP
 * server first (no new requests), drains what the actors already have,
 * stops them in reverse start order, flushes, and exits with a code that
 * reflects the outcome. A second SIGTERM/SIGINT forces it.
 *
 *   node --conditions=@troupe/source --import tsx examples/graceful-features/shutdown/main.ts
 *   curl localhost:8080/hit; kill -TERM <pid>
 */
import { createServer } from 'node:http';
import { createSystem, defineActor } from '@troupe/runtime';

const Hits = defineActor('hits', {
  init: () => ({ n: 0 }),
  receive(s, m: { type: 'hit' } | { type: 'get' }, ctx) {
    if (m.type === 'get') ctx.reply(s.n);
    return m.type === 'hit' ? { n: s.n + 1 } : s;
  },
  onStop(s) {
    console.log(`hits: stopping after ${s.n} hits`);
  },
});

const system = await createSystem({ handleSignals: true });
const hits = await system.spawn(Hits, undefined, { name: 'hits' });

const server = createServer(async (req, res) => {
  if (req.url === '/hit') hits.tell({ type: 'hit' });
  res.end(`${await hits.ask<number>({ type: 'get' }, { timeoutMs: 1000 })}\n`);
});
server.listen(Number(process.env.PORT ?? 8080), () =>
  console.log(`listening on ${process.env.PORT ?? 8080}`),
);

// Phase 1 hook: refuse new connections and let in-flight requests finish while actors still accept them.
system.onShutdown('stop-intake', () => new Promise<void>((done) => server.close(() => done())), {
  name: 'close-http',
  timeoutMs: 2000,
});
// Phase 5 hook: flush whatever the app buffers (metrics, logs).
system.onShutdown('flush', () => console.log('flushed'));
// The report goes to stderr and the exit code is set (0 clean, 1 a hook failed, 2 forced).
