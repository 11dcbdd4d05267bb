import { describe, expect, it } from 'vitest';
import type { ActorCell } from '../src/kernel/cell.ts';
import { Dispatcher } from '../src/kernel/dispatcher.ts';
import { tick } from './helpers.ts';

/** A stand-in cell: the dispatcher only touches `queued` and `run()`. */
function fakeCell(name: string, log: string[], body?: () => void): ActorCell {
  return {
    queued: false,
    run() {
      log.push(name);
      body?.();
    },
  } as unknown as ActorCell;
}

describe('Dispatcher', () => {
  it('runs scheduled cells round robin in a microtask, clearing queued first', async () => {
    const d = new Dispatcher(5);
    const log: string[] = [];
    const a = fakeCell('a', log, () => expect(a.queued).toBe(false));
    const b = fakeCell('b', log);
    a.queued = b.queued = true;
    d.schedule(a);
    d.schedule(b);
    expect(d.depth).toBe(2);
    expect(log).toEqual([]); // nothing runs synchronously
    await Promise.resolve();
    expect(log).toEqual(['a', 'b']);
    expect(d.depth).toBe(0);
    expect(d.turns).toBe(2);
  });

  it('a cell scheduled during a drain runs in the same drain', async () => {
    const d = new Dispatcher(5);
    const log: string[] = [];
    const b = fakeCell('b', log);
    const a = fakeCell('a', log, () => d.schedule(b));
    d.schedule(a);
    await Promise.resolve();
    expect(log).toEqual(['a', 'b']);
  });

  it('yields to the event loop once yieldMs has passed', async () => {
    const d = new Dispatcher(0.000_001); // any measurable time is over budget
    const log: string[] = [];
    let n = 0;
    const busy: ActorCell = fakeCell('x', log, () => {
      if (++n < 200) d.schedule(busy);
    });
    d.schedule(busy);
    await Promise.resolve();
    // The time check runs every checkMask + 1 turns, so the first drain stops there.
    expect(log.length).toBe(d.checkMask + 1);
    for (let i = 0; i < 10 && n < 200; i++) await tick();
    expect(n).toBe(200);
  });

  it('keeps running other cells when a turn throws, and rethrows asynchronously', async () => {
    const d = new Dispatcher(5);
    const log: string[] = [];
    const thrown: unknown[] = [];
    const bad = fakeCell('bad', log, () => {
      throw new Error('runtime bug');
    });
    const good = fakeCell('good', log);
    d.schedule(bad);
    d.schedule(good);
    const original = queueMicrotask;
    globalThis.queueMicrotask = (fn) =>
      original(() => {
        try {
          fn();
        } catch (e) {
          thrown.push(e);
        }
      });
    try {
      await Promise.resolve();
      await tick();
      await tick();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(log).toEqual(['bad', 'good']);
    expect(thrown.map((e) => (e as Error).message)).toEqual(['runtime bug']);
  });

  it('unqueue takes a cell off in O(1): the drain skips it, depth and newestReady leave it out', async () => {
    const d = new Dispatcher(5);
    const log: string[] = [];
    const cells = ['a', 'b', 'c'].map((n) => fakeCell(n, log));
    for (const c of cells) {
      c.queued = true;
      d.schedule(c);
    }
    const all = () => true;
    expect(d.newestReady(all, 10, 10)).toEqual([...cells].reverse());
    d.unqueue(cells[1]!);
    d.unqueue(cells[1]!); // idempotent
    expect(cells[1]!.queued).toBe(false);
    expect(d.depth).toBe(2);
    expect(d.newestReady(all, 10, 10)).toEqual([cells[2], cells[0]]);
    await Promise.resolve();
    expect(log).toEqual(['a', 'c']);
    expect(d.depth).toBe(0);
  });

  it('a cell unqueued and scheduled again runs once, and the depth stays exact', async () => {
    const d = new Dispatcher(5);
    const log: string[] = [];
    const [a, b] = ['a', 'b'].map((n) => fakeCell(n, log));
    a!.queued = true;
    d.schedule(a!);
    b!.queued = true;
    d.schedule(b!);
    d.unqueue(a!);
    a!.queued = true;
    d.schedule(a!); // two entries for a: the stale one first
    expect(d.depth).toBe(2);
    expect(d.newestReady(() => true, 10, 10)).toEqual([a, b]); // a once: a thief must not take it twice
    await Promise.resolve();
    expect(log).toEqual(['a', 'b']);
    expect(d.depth).toBe(0);
  });
});
