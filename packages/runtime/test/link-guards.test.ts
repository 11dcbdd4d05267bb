/**
 * Every decode on a port is guarded: a batch the receiving link cannot decode
 * (an unknown extension, nesting deeper than this thread's stack) becomes a
 * `system.batch-undecodable` event instead of an exception in the port
 * handler (which would end the thread, or the process on the main thread), and
 * the link keeps serving the batches after it.
 */
import { MessageChannel } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { ThreadLink } from '../src/executors/link.ts';
import { defineActor } from '../src/kernel/definition.ts';
import type { AnyTroupeEvent } from '../src/kernel/events.ts';
import { Host } from '../src/kernel/host.ts';
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

const counter = defineActor('guards.counter', {
  init: () => 0,
  receive: (n: number) => n + 1,
});

it('an undecodable batch is an event, not a crash, and the batches after it are handled', async () => {
  const a = node(1);
  const b = node(2);
  const { port1, port2 } = new MessageChannel();
  a.link.connect(2, port1);
  b.link.connect(1, port2);
  const events: AnyTroupeEvent[] = [];
  b.host.events.events$.subscribe((e) => events.push(e));
  try {
    const target = b.host.spawnLocal(counter, undefined, undefined, null);
    const there = a.link.intern(target.id, undefined, counter.name);
    // An extension type nobody registered, and arrays nested 100,000 deep (a fixarray header each).
    port1.postMessage(new Uint8Array([0xd4, 0x63, 0]));
    const deep = new Uint8Array(100_001).fill(0x91);
    deep[100_000] = 0x01;
    port1.postMessage(deep);
    a.link.sendUser(there, 'hi', undefined);
    a.link.flushAll();
    const cell = b.host.cells.get(target.id)!;
    await expect.poll(() => cell.state, { timeout: 10_000, interval: 5 }).toBe(1);
    const bad = events.filter((e) => e.type === 'system.batch-undecodable');
    expect(bad).toHaveLength(2);
    expect(bad[0]).toMatchObject({ node: 2, from: 1, bytes: 3 });
    expect(String((bad[1] as { error: unknown }).error)).toContain('Maximum call stack size exceeded');
  } finally {
    a.link.close();
    b.link.close();
  }
});
