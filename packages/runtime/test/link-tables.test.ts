/**
 * ThreadLink's ref definition tables (executors/ref-tables.ts, W_DEF / W_RESET),
 * between two hosts over a real MessageChannel: a channel defines each ref
 * once, both ends start over after CHANNEL_REFS_CAP definitions, and a ref
 * defined before a reset is defined again before its next use.
 */
import { MessageChannel } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { ThreadLink } from '../src/executors/link.ts';
import { CHANNEL_REFS_CAP } from '../src/executors/wire.ts';
import { defineActor } from '../src/kernel/definition.ts';
import { Host } from '../src/kernel/host.ts';
import { ActorRef } from '../src/kernel/ref.ts';
import { resolveOptions } from '../src/system/options.ts';

function node(n: number): { host: Host; link: ThreadLink } {
  const o = resolveOptions({});
  const host = new Host({
    node: n,
    clock: o.clock,
    throughput: o.throughput,
    yieldMs: o.yieldMs,
    askTimeoutMs: o.askTimeoutMs,
    mailbox: o.mailbox,
  });
  const link = new ThreadLink(host, null);
  host.connect(link, (id, name, def) => link.intern(id, name, def));
  return { host, link };
}

/** Counts messages by the definition of the sender's ref as this host decoded it ('?': it did not know it). */
const counter = defineActor('tables.counter', {
  init: () => ({ byDef: {} as Record<string, number>, n: 0 }),
  receive: (s: { byDef: Record<string, number>; n: number }, _msg: 'hi', ctx) => {
    const def = ctx.sender?.def ?? 'none';
    s.byDef[def] = (s.byDef[def] ?? 0) + 1;
    s.n++;
    return s;
  },
});

it('both ends start over past the cap, and a ref defined before a reset is defined again', async () => {
  const a = node(1);
  const b = node(2);
  const { port1, port2 } = new MessageChannel();
  a.link.connect(2, port1);
  b.link.connect(1, port2);
  try {
    const target = b.host.spawnLocal(counter, undefined, undefined, null);
    const there = a.link.intern(target.id, undefined, counter.name);
    // A long-lived sender, and a stream of short-lived ones (a new ref each), all born on node 1.
    const sender = (i: number, def: string) => new ActorRef(i * 65_536 + 1, undefined, def, a.host, null);
    const long = sender(1, 'long');
    const n = 2 * CHANNEL_REFS_CAP + 100;
    const known = (a.link as any).tables.known.get(2) as Map<number, unknown>;
    const defined = (b.link as any).tables.defined.get(1) as Map<number, unknown>;
    let most = 0;
    a.link.sendUser(there, 'hi', long);
    for (let i = 0; i < n; i++) {
      a.link.sendUser(there, 'hi', sender(i + 2, 'short'));
      if (i % 1000 === 999) {
        a.link.flushAll();
        await new Promise((r) => setImmediate(r));
        most = Math.max(most, known.size, defined.size);
      }
    }
    a.link.sendUser(there, 'hi', long);
    a.link.flushAll();
    const cell = b.host.cells.get(target.id)!;
    await expect.poll(() => (cell.state as { n: number }).n, { timeout: 10_000, interval: 5 }).toBe(n + 2);
    expect((cell.state as { byDef: Record<string, number> }).byDef).toEqual({ long: 2, short: n });
    // Bounded on both ends…
    expect(most).toBeLessThanOrEqual(CHANNEL_REFS_CAP);
    expect(known.size).toBeLessThanOrEqual(CHANNEL_REFS_CAP);
    expect(defined.size).toBeLessThanOrEqual(CHANNEL_REFS_CAP);
    // …and the long-lived sender, forgotten at the first reset, was defined again for its second message.
    expect(defined.has(long.id)).toBe(true);
    expect(known.has(long.id)).toBe(true);
  } finally {
    a.link.close();
    b.link.close();
  }
});
