/**
 * The cross-thread floor for one-way traffic: two plain worker threads, one
 * posting batches of 1,000 messages to the other over a MessagePort, no
 * actors. Two codecs: structured clone of the batch array (what a
 * hand-rolled pool does) and msgpackr with the bytes transferred (what
 * Troupe's transport does). Protocol:
 * 1. The pair of threads starts once per contender (outside every timing)
 *    and is kept until `close()`.
 * 2. A run posts `go` to the sender; the receiver counts messages and tells
 *    the main thread when `n` have arrived. The run's time is go → done.
 */
import { createRequire } from 'node:module';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Contender } from './types.ts';

const BATCH = 1000;

const CODE = `
  const { parentPort, workerData } = require('node:worker_threads');
  const { Packr } = require(workerData.msgpackr);
  const packr = new Packr({ structuredClone: true, useRecords: true, moreTypes: true });
  const { port, role, codec } = workerData;
  const MSG = { type: 'inc' };
  if (role === 'recv') {
    let n = 0;
    let want = 0;
    parentPort.on('message', (m) => { n = 0; want = m; parentPort.postMessage('armed'); });
    port.on('message', (b) => {
      const batch = codec === 'msgpackr' ? packr.unpack(b) : b;
      for (const m of batch) if (m.type === 'inc') n++;
      if (n === want) parentPort.postMessage(n);
    });
  } else {
    parentPort.on('message', (total) => {
      let sent = 0;
      const step = () => {
        for (let k = 0; k < 64 && sent < total; k++) {
          const size = Math.min(${BATCH}, total - sent);
          const batch = new Array(size).fill(MSG);
          sent += size;
          if (codec === 'msgpackr') {
            const b = new Uint8Array(packr.pack(batch));
            port.postMessage(b, [b.buffer]);
          } else port.postMessage(batch);
        }
        if (sent < total) setImmediate(step);
      };
      step();
    });
  }`;

class RawPipe {
  private constructor(
    private readonly sender: Worker,
    private readonly receiver: Worker,
  ) {}

  static start(codec: 'clone' | 'msgpackr'): RawPipe {
    const { port1, port2 } = new MessageChannel();
    const msgpackr = createRequire(import.meta.url).resolve('msgpackr');
    const mk = (role: string, port: unknown) =>
      new Worker(CODE, {
        eval: true,
        workerData: { role, port, codec, msgpackr },
        transferList: [port as never],
      });
    return new RawPipe(mk('send', port1), mk('recv', port2));
  }

  async run(n: number): Promise<number> {
    // The receiver holds its target before the first batch can reach it (step 2).
    const armed = new Promise((r) => this.receiver.once('message', r));
    this.receiver.postMessage(n);
    await armed;
    const done = new Promise<number>((r) => this.receiver.once('message', r));
    const t0 = performance.now();
    this.sender.postMessage(n);
    const got = await done;
    const ms = performance.now() - t0;
    if (got !== n) throw new Error(`raw postMessage: ${got} of ${n} messages arrived`);
    return ms;
  }

  async close(): Promise<void> {
    await Promise.all([this.sender.terminate(), this.receiver.terminate()]);
  }
}

/** The raw pipe as a suite contender (system `limit`): `n` one-way messages per run. */
export function rawPostContender(n: number, codec: 'clone' | 'msgpackr'): Contender {
  let pipe: RawPipe | null = null;
  return {
    system: 'limit',
    mode: `raw batched postMessage, 2 threads (${codec === 'clone' ? 'structured clone' : 'msgpackr'})`,
    run: () => {
      pipe ??= RawPipe.start(codec);
      return pipe.run(n);
    },
    async close() {
      await pipe?.close();
      pipe = null;
    },
  };
}
