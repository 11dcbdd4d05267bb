/**
 * Cost of the watchdog probe on the dispatcher's worst case: two actors
 * playing ping-pong in one host, so every turn processes one message and
 * pays one probe (beat, running id, definition and message type compare).
 *
 *   node --conditions=@troupe/source --import tsx packages/scheduler/bench/fault-probe.ts
 */
import { WatchdogBoard } from '@troupe/scheduler';
import { systemClock } from '../../runtime/src/kernel/clock.ts';
import { defineActor } from '../../runtime/src/kernel/definition.ts';
import { messageType } from '../../runtime/src/kernel/events.ts';
import { Host } from '../../runtime/src/kernel/host.ts';

const ping = defineActor('ping', {
  init: (p: { n: number; done: () => void }) => ({ left: p.n, done: p.done, peer: null as any }),
  receive: (s: any, msg: any, ctx) => {
    if (msg.type === 'peer') {
      s.peer = msg.ref;
      return s;
    }
    if (--s.left <= 0) {
      s.done();
      return s;
    }
    ctx.tell(s.peer, { type: 'ball', from: ctx.self });
    return s;
  },
});
async function run(withProbe: boolean, n: number) {
  const host = new Host({
    node: 1,
    clock: systemClock,
    throughput: 64,
    yieldMs: 5,
    askTimeoutMs: 1000,
    mailbox: { capacity: Infinity, overflow: 'fail' } as any,
  });
  if (withProbe) {
    const wd = new WatchdogBoard(4);
    host.dispatcher.probe = (c) => {
      if (c === null) wd.idle(1);
      else wd.turn(1, c.id, c.def.name, c.mailbox.length > 0 ? messageType(c.mailbox.peek()) : '(system)');
    };
  }
  let done!: () => void;
  const p = new Promise<void>((r) => (done = r));
  const a = host.spawnLocal(ping, { n, done }, undefined, null);
  const b = host.spawnLocal(ping, { n, done }, undefined, null);
  a.tell({ type: 'peer', ref: b });
  b.tell({ type: 'peer', ref: a });
  const t0 = performance.now();
  a.tell({ type: 'ball' });
  await p;
  return n / ((performance.now() - t0) / 1000);
}
const N = 2_000_000;
const res: Record<string, number[]> = { off: [], on: [] };
for (let i = 0; i < 6; i++) {
  res.off.push(await run(false, N));
  res.on.push(await run(true, N));
}
const med = (x: number[]) => x.sort((a, b) => a - b)[3]!;
console.log(
  'ping-pong (1 msg per turn) msgs/s median: probe off',
  (med(res.off) / 1e6).toFixed(2),
  'M, probe on',
  (med(res.on) / 1e6).toFixed(2),
  'M',
);
