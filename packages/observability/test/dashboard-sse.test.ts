/**
 * The SSE hub's bounds (sse.ts) with stand-in responses: a client that stops reading is skipped
 * while its socket buffer is over MAX_BUFFERED, and dropped after STALL_MS of that; a vanished
 * client leaves at once; the owner hears the first arrival and the last departure.
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { frame, MAX_BUFFERED, SseHub, STALL_MS } from '../src/dashboard/sse.ts';

class FakeRes extends EventEmitter {
  writableLength = 0;
  written: string[] = [];
  destroyed = false;
  writeHead() {
    return this;
  }
  write(s: string) {
    this.written.push(s);
    return true;
  }
  end() {
    this.emit('close');
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}
const res = () => new FakeRes() as unknown as ServerResponse & FakeRes;

afterEach(() => {
  vi.useRealTimers();
});

describe('SseHub', () => {
  it('skips a client that stopped reading, drops it after STALL_MS, and keeps serving the others', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const active: boolean[] = [];
    const hub = new SseHub(10, (a) => active.push(a));
    const slow = res();
    const fast = res();
    hub.add(slow, 'first');
    hub.add(fast, 'first');
    expect(active).toEqual([true]);
    slow.writableLength = MAX_BUFFERED + 1;
    hub.broadcast(frame('tick', { n: 1 }));
    expect(slow.written).toEqual(['first']);
    expect(fast.written).toHaveLength(2);
    expect(hub.skipped).toBe(1);
    vi.setSystemTime(1_000_000 + STALL_MS);
    hub.broadcast(frame('tick', { n: 2 }));
    expect(slow.destroyed).toBe(false); // not yet past STALL_MS
    vi.setSystemTime(1_000_000 + STALL_MS + 1);
    hub.broadcast(frame('tick', { n: 3 }));
    expect(slow.destroyed).toBe(true);
    expect(hub.dropped).toBe(1);
    expect(hub.size).toBe(1);
    expect(fast.written).toHaveLength(4);
    expect(active).toEqual([true]);
  });

  it('a client that catches up is written to again and its stall clock starts over', () => {
    vi.useFakeTimers({ now: 0 });
    const hub = new SseHub(10, () => {});
    const c = res();
    hub.add(c, 'first');
    c.writableLength = MAX_BUFFERED + 1;
    hub.broadcast('a');
    vi.setSystemTime(STALL_MS - 1);
    c.writableLength = 0;
    hub.broadcast('b');
    c.writableLength = MAX_BUFFERED + 1;
    vi.setSystemTime(2 * STALL_MS - 2);
    hub.broadcast('c');
    expect(c.destroyed).toBe(false);
    expect(c.written).toEqual(['first', 'b']);
  });

  it('a vanished client leaves at once; the last one leaving tells the owner; past maxClients add says no', () => {
    const active: boolean[] = [];
    const hub = new SseHub(2, (a) => active.push(a));
    const a = res();
    const b = res();
    expect(hub.add(a, 'x')).toBe(true);
    expect(hub.add(b, 'x')).toBe(true);
    expect(hub.add(res(), 'x')).toBe(false);
    a.emit('close');
    expect(hub.size).toBe(1);
    b.emit('close');
    expect(hub.size).toBe(0);
    expect(active).toEqual([true, false]);
  });
});
