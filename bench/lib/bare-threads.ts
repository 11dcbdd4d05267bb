/**
 * The machine's bound for a pure-compute workload on N threads: N plain
 * worker threads, the items split evenly before the run, each thread one
 * message in and one out: no scheduling, no stealing, no per-item messages.
 * A speedup over one thread that this does not reach here, no scheduler can.
 * Protocol:
 * 1. The threads start once per contender (outside every timing), import the
 *    same task module as the other systems, and stay until `close()`.
 * 2. A run posts each thread its share (item i to thread i mod N); the run's
 *    time is from the first post to the last thread's sum.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type Contender, timed } from './types.ts';

const TSX = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
).href;

const CODE = `
  const { parentPort, workerData } = require('node:worker_threads');
  // tsx's hooks first, for a TypeScript task module (as the executors do: scheduler/pool.ts).
  import(workerData.tsx).then((t) => { t.register(); return import(workerData.task); }).then((m) => {
    const task = m.default;
    parentPort.on('message', (items) => {
      let sum = 0;
      for (const it of items) sum += task(it);
      parentPort.postMessage(sum);
    });
    parentPort.postMessage('ready');
  });
`;

export function bareThreadsContender<T>(
  taskFile: URL,
  items: () => readonly T[],
  verify: (sum: number) => void,
  threads = 2,
): Contender {
  let workers: Worker[] | null = null;
  const start = async (): Promise<Worker[]> => {
    const ws = Array.from(
      { length: threads },
      () => new Worker(CODE, { eval: true, workerData: { task: taskFile.href, tsx: TSX } }),
    );
    await Promise.all(ws.map((w) => new Promise((r) => w.once('message', r))));
    return ws;
  };
  return {
    system: 'limit',
    mode: `${threads} bare threads, even split`,
    async run() {
      workers ??= await start();
      const ws = workers;
      const all = items();
      const shares = ws.map((_, k) => all.filter((_, i) => i % ws.length === k));
      let sum = 0;
      const ms = await timed(async () => {
        const parts = await Promise.all(
          ws.map(
            (w, k) =>
              new Promise<number>((r) => {
                w.once('message', r);
                w.postMessage(shares[k]);
              }),
          ),
        );
        for (const p of parts) sum += p;
      });
      verify(sum);
      return ms;
    },
    async close() {
      await Promise.all((workers ?? []).map((w) => w.terminate()));
    },
  };
}
