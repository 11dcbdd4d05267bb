/**
 * Transport mechanism, measured: msgpackr-encoded batches of N one-way
 * frames (the runtime's flat token format: target id, message, sender id)
 * between two threads, over
 * - a MessagePort (postMessage of the transferred bytes), vs
 * - a SharedArrayBuffer ring (length-prefixed records, Atomics, the reader
 *   spins 2^10 times and then parks with Atomics.wait).
 * Both sides encode/decode the same bytes, so the difference is the hand-off.
 *
 *   node --conditions=@troupe/source --import tsx packages/scheduler/bench/transport.ts [messages]
 */
import { createRequire } from 'node:module';
import { MessageChannel, Worker } from 'node:worker_threads';

const N = Number(process.argv[2] ?? 2_000_000);
const msgpackr = createRequire(import.meta.url).resolve('msgpackr');

const worker = (role: 'send' | 'recv', mode: 'port' | 'ring', batch: number) => `
  const { parentPort, workerData } = require('node:worker_threads');
  const { Packr } = require(${JSON.stringify(msgpackr)});
  const packr = new Packr({ structuredClone: true, useRecords: true, moreTypes: true });
  const { N, port, sab } = workerData;
  const BATCH = ${batch};
  const RING = sab ? new Uint8Array(sab, 16) : null;
  const ctl = sab ? new Int32Array(sab, 0, 4) : null; // [write, read, parked, done]
  const CAP = RING ? RING.length : 0;
  if (${JSON.stringify(role)} === 'send') {
    let sent = 0;
    const step = () => {
      for (let k = 0; k < 64 && sent < N; k++) {
        const t = [];
        for (let i = 0; i < BATCH; i++) t.push(1, 2049, sent + i, 3074);
        sent += BATCH;
        const b = packr.pack(t);
        if (${JSON.stringify(mode)} === 'port') { const own = new Uint8Array(b); port.postMessage(own, [own.buffer]); }
        else {
          const need = b.length + 4;
          for (;;) {
            const w = Atomics.load(ctl, 0), r = Atomics.load(ctl, 1);
            if (CAP - (w - r) >= need) break;
            Atomics.wait(ctl, 1, r, 1);
          }
          let w = Atomics.load(ctl, 0);
          const put = (byte) => { RING[w % CAP] = byte; w++; };
          const len = b.length;
          put(len & 255); put((len >> 8) & 255); put((len >> 16) & 255); put((len >>> 24) & 255);
          const at = w % CAP;
          if (at + len <= CAP) { RING.set(b, at); w += len; } else for (let i = 0; i < len; i++) put(b[i]);
          Atomics.store(ctl, 0, w);
          if (Atomics.load(ctl, 2) === 1) Atomics.notify(ctl, 0);
        }
      }
      if (sent < N) setImmediate(step);
    };
    step();
  } else {
    let n = 0;
    const handle = (bytes) => { const t = packr.unpack(bytes); n += t.length / 4; };
    if (${JSON.stringify(mode)} === 'port') {
      port.on('message', (b) => { handle(b); if (n >= N) { parentPort.postMessage(n); port.close(); } });
    } else {
      let r = 0;
      const get = () => { const v = RING[r % CAP]; r++; return v; };
      while (n < N) {
        let spins = 0;
        while (Atomics.load(ctl, 0) === r) {
          if (++spins < 1024) continue;
          Atomics.store(ctl, 2, 1);
          Atomics.wait(ctl, 0, r, 50);
          Atomics.store(ctl, 2, 0);
          spins = 0;
        }
        const len = get() | (get() << 8) | (get() << 16) | (get() << 24);
        const at = r % CAP;
        let bytes;
        if (at + len <= CAP) { bytes = RING.subarray(at, at + len); r += len; }
        else { bytes = new Uint8Array(len); for (let i = 0; i < len; i++) bytes[i] = get(); }
        handle(bytes);
        Atomics.store(ctl, 1, r);
        Atomics.notify(ctl, 1);
      }
      parentPort.postMessage(n);
    }
  }`;

async function run(mode: 'port' | 'ring', batch: number): Promise<number> {
  const { port1, port2 } = new MessageChannel();
  const sab = mode === 'ring' ? new SharedArrayBuffer(16 + (1 << 22)) : undefined;
  const recv = new Worker(worker('recv', mode, batch), {
    eval: true,
    workerData: { N, port: port2, sab },
    transferList: [port2],
  });
  const t0 = performance.now();
  const done = new Promise((r) => recv.once('message', r));
  const send = new Worker(worker('send', mode, batch), {
    eval: true,
    workerData: { N, port: port1, sab },
    transferList: [port1],
  });
  await done;
  const ms = performance.now() - t0;
  await Promise.all([recv.terminate(), send.terminate()]);
  return (N / ms) * 1000;
}

console.log(`${N} one-way frames; rate in frames/s (best of 3)`);
console.log('batch'.padEnd(8), 'MessagePort'.padStart(14), 'SAB ring'.padStart(14));
for (const batch of [1, 16, 256, 1000]) {
  const best = async (mode: 'port' | 'ring') =>
    Math.max(await run(mode, batch), await run(mode, batch), await run(mode, batch));
  const n = batch === 1 ? N / 10 : N;
  void n;
  const p = await best('port');
  const r = await best('ring');
  console.log(
    String(batch).padEnd(8),
    `${(p / 1e6).toFixed(2)}M`.padStart(14),
    `${(r / 1e6).toFixed(2)}M`.padStart(14),
  );
}
