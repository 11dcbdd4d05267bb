/**
 * Cross-thread one-way throughput: an actor on executor 1 tells an actor on
 * executor 2, vs raw batched postMessage between two plain worker threads
 * (same batch size, structured clone of a number array), vs the transport
 * alone (msgpackr batches over a MessagePort, no actors).
 *
 *   node --conditions=@troupe/source --import tsx packages/scheduler/bench/cross-thread.ts [messages]
 */
import { createRequire } from 'node:module';
import { MessageChannel, Worker } from 'node:worker_threads';
import { createSystem } from '@troupe/runtime';
import * as A from './actors.ts';

const N = Number(process.argv[2] ?? 2_000_000);
const BATCH = 1000;

async function raw(mode: 'clone' | 'msgpack'): Promise<number> {
  const { port1, port2 } = new MessageChannel();
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { Packr } = require(${JSON.stringify(createRequire(import.meta.url).resolve('msgpackr'))});
    const packr = new Packr({ structuredClone: true, useRecords: true, moreTypes: true });
    const port = workerData.port;
    if (workerData.role === 'recv') {
      let n = 0;
      port.on('message', (b) => {
        const batch = workerData.mode === 'msgpack' ? packr.unpack(b) : b;
        n += batch.length;
        if (n >= workerData.N) { parentPort.postMessage(n); port.close(); }
      });
    } else {
      let sent = 0;
      const step = () => {
        for (let k = 0; k < 64 && sent < workerData.N; k++) {
          const batch = [];
          for (let i = 0; i < workerData.BATCH; i++) batch.push(sent + i);
          sent += workerData.BATCH;
          if (workerData.mode === 'msgpack') { const b = new Uint8Array(packr.pack(batch)); port.postMessage(b, [b.buffer]); }
          else port.postMessage(batch);
        }
        if (sent < workerData.N) setImmediate(step); else parentPort.postMessage('sent');
      };
      step();
    }`;
  const mk = (role: string, port: unknown) =>
    new Worker(code, {
      eval: true,
      workerData: { role, port, N, BATCH, mode },
      transferList: [port as never],
    });
  const recv = mk('recv', port2);
  const t0 = performance.now();
  const done = new Promise((r) => recv.once('message', r));
  const send = mk('send', port1);
  await done;
  const ms = performance.now() - t0;
  await Promise.all([recv.terminate(), send.terminate()]);
  return (N / ms) * 1000;
}

async function actors(): Promise<number> {
  const system = await createSystem({
    actors: new URL('./actors.ts', import.meta.url),
    executors: 2,
    stealing: false,
    executorExecArgv: process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [],
  });
  const sink = await system.spawn(A.sink, undefined, { placement: { executor: 2 } });
  const source = await system.spawn(A.source, undefined, { placement: { executor: 1 } });
  const t0 = performance.now();
  source.tell({ type: 'go', to: sink, n: N, chunk: BATCH });
  for (;;) {
    const n = await sink.ask<number>({ type: 'count' });
    if (n >= N) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  await system.shutdown();
  return (N / ms) * 1000;
}

const fmt = (r: number) => `${(r / 1e6).toFixed(2)}M msgs/s`;
const rows: Array<[string, number]> = [];
if (!process.env.ONLY_ACTORS) {
  rows.push(['raw postMessage, batches of 1000 (structured clone)', await raw('clone')]);
  rows.push(['raw postMessage, batches of 1000 (msgpackr, transferred)', await raw('msgpack')]);
}
rows.push(['troupe actor → actor across executors', await actors()]);
for (const [name, r] of rows) console.log(`${name.padEnd(60)} ${fmt(r)}`);
