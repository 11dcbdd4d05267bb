/**
 * CPU time per cross-thread message, sender and receiver side, measured in
 * one thread (so a loaded machine does not distort it): the sender's tells
 * go through the real ThreadLink and Channel (routing, flat tokens, msgpackr),
 * the captured batches are fed to a second host's link (decode, deliver,
 * process). The slower side bounds the cross-thread rate on idle cores.
 *
 *   node --conditions=@troupe/source --import tsx packages/scheduler/bench/cpu-per-message.ts
 */
import { MessageChannel } from 'node:worker_threads';
import { Board } from '@troupe/scheduler';
import { ThreadLink } from '../../runtime/src/executors/link.ts';
import { systemClock } from '../../runtime/src/kernel/clock.ts';
import { defineActor } from '../../runtime/src/kernel/definition.ts';
import { Host } from '../../runtime/src/kernel/host.ts';

const mk = (node: number) => {
  const host = new Host({
    node,
    clock: systemClock,
    throughput: 64,
    yieldMs: 5,
    askTimeoutMs: 1000,
    mailbox: { capacity: Infinity, overflow: 'fail' } as any,
  });
  const link = new ThreadLink(host, new Board(4));
  host.connect(link, (id, name, def) => link.intern(id, name, def));
  return { host, link };
};
const a = mk(1),
  b = mk(2);
const { port1, port2 } = new MessageChannel();
a.link.connect(2, port1);
const captured: Uint8Array[] = [];
(port1 as any).postMessage = (bytes: Uint8Array) => captured.push(bytes);
const d = defineActor('x', { init: () => 0, receive: (s: number) => s + 1 });
const me = a.host.spawnLocal(d, undefined, undefined, null);
b.host.register(d);
const sink = b.host.spawnLocal(d, undefined, undefined, null);
const target = a.host.refFor(sink.id, undefined, 'x');
const N = 100_000;
const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
let bs = Infinity,
  br = Infinity;
for (let round = 0; round < 30; round++) {
  captured.length = 0;
  a.host.current = me.cell;
  const c0 = cpu();
  for (let i = 0; i < N; i++) target.tell(i);
  (a.link.channels.get(2) as any).flush();
  const c1 = cpu();
  a.host.current = null;
  for (const bytes of captured) (b.link as any).receive(1, bytes);
  await new Promise((r) => setImmediate(r));
  const c2 = cpu();
  bs = Math.min(bs, ((c1 - c0) * 1e3) / N);
  br = Math.min(br, ((c2 - c1) * 1e3) / N);
}
console.log(
  `sender ${bs.toFixed(0)} ns/msg, receiver ${br.toFixed(0)} ns/msg (CPU time, best of 30) → bound ≈ ${(1e3 / Math.max(bs, br)).toFixed(1)}M msgs/s on two idle cores; processed ${(sink.cell as any).state}`,
);
port1.close();
port2.close();
