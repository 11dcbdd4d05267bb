import { afterEach, describe, expect, it, vi } from 'vitest';
import { RunQueue } from '../src/run-queue.ts';
import type { Runnable } from '../src/unit.ts';

/** A trivial unit: its turn logs its name and runs `body`. */
interface Job extends Runnable {
  readonly name: string;
}
function job(name: string, log: string[], body?: () => void): Job {
  return {
    name,
    queued: false,
    run() {
      log.push(name);
      body?.();
    },
  };
}

/** A unit with `left` items of work, one per turn, that schedules itself again while it has some. */
function worker(q: RunQueue<Job>, name: string, left: number, log: string[]): Job {
  const j: Job = {
    name,
    queued: false,
    run() {
      log.push(name);
      if (--left > 0) q.schedule(j);
    },
  };
  return j;
}

/** Lets a drain continued by `setImmediate` run. */
const macrotask = () => new Promise<void>((r) => setImmediate(r));

/** An injected clock for the drain's time checks: `performance.now()` reads `clock.t`. */
function fakeClock(): { t: number } {
  const clock = { t: 1000 };
  vi.spyOn(performance, 'now').mockImplementation(() => clock.t);
  return clock;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RunQueue', () => {
  it('runs scheduled units round robin in a microtask, clearing queued first', async () => {
    const q = new RunQueue<Job>(5);
    const log: string[] = [];
    const a: Job = job('a', log, () => expect(a.queued).toBe(false));
    const b = job('b', log);
    a.queued = b.queued = true;
    q.schedule(a);
    q.schedule(b);
    expect(q.depth).toBe(2);
    expect(log).toEqual([]); // nothing runs synchronously
    await Promise.resolve();
    expect(log).toEqual(['a', 'b']);
    expect(q.depth).toBe(0);
    expect(q.turns).toBe(2);
  });

  it('a unit scheduled during a drain runs in the same drain', async () => {
    const q = new RunQueue<Job>(5);
    const log: string[] = [];
    const b = job('b', log);
    const a = job('a', log, () => q.schedule(b));
    q.schedule(a);
    await Promise.resolve();
    expect(log).toEqual(['a', 'b']);
  });

  it('is fair: units that schedule themselves again take turns, none runs twice before the others ran', async () => {
    const q = new RunQueue<Job>(5);
    const log: string[] = [];
    q.schedule(worker(q, 'a', 3, log));
    q.schedule(worker(q, 'b', 1, log));
    q.schedule(worker(q, 'c', 2, log));
    await Promise.resolve();
    expect(log).toEqual(['a', 'b', 'c', 'a', 'c', 'a']);
    expect(q.turns).toBe(6);
  });

  it('yields to the event loop once yieldMs has passed (clock read every checkMask + 1 turns)', async () => {
    const clock = fakeClock();
    const q = new RunQueue<Job>(5);
    const log: string[] = [];
    // Each turn takes 0.1 ms of the injected clock: the first check after 5 ms ends the drain.
    const busy = worker(q, 'x', 200, log);
    const timedRun = busy.run;
    busy.run = () => {
      clock.t += 0.1;
      timedRun();
    };
    q.schedule(busy);
    await Promise.resolve();
    expect(log.length).toBe(64); // 6.4 ms at the first check (turn 64) > yieldMs
    expect(q.busyMs).toBeCloseTo(6.4, 5);
    await macrotask();
    expect(log.length).toBe(128); // the drain continued in setImmediate, not in a microtask
    for (let i = 0; i < 5; i++) await macrotask();
    expect(log.length).toBe(200);
    expect(q.turns).toBe(200);
  });

  it('keeps the drain going while the clock says there is time left', async () => {
    const clock = fakeClock();
    const q = new RunQueue<Job>(5);
    const log: string[] = [];
    const a = worker(q, 'a', 300, log);
    const run = a.run;
    a.run = () => {
      clock.t += 0.001;
      run();
    };
    q.schedule(a);
    await Promise.resolve();
    expect(log.length).toBe(300); // 0.3 ms in all: one drain
  });

  it('keeps running other units when a turn throws, and rethrows asynchronously', async () => {
    const q = new RunQueue<Job>(5);
    const log: string[] = [];
    const thrown: unknown[] = [];
    const bad = job('bad', log, () => {
      throw new Error('runtime bug');
    });
    const good = job('good', log);
    q.schedule(bad);
    q.schedule(good);
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
      await macrotask();
      await macrotask();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(log).toEqual(['bad', 'good']);
    expect(thrown.map((e) => (e as Error).message)).toEqual(['runtime bug']);
  });

  it('unqueue takes a unit off in O(1): the drain skips it, depth and newestReady leave it out', async () => {
    const q = new RunQueue<Job>(5);
    const log: string[] = [];
    const units = ['a', 'b', 'c'].map((n) => job(n, log));
    for (const u of units) q.schedule(u);
    const all = () => true;
    expect(q.newestReady(all, 10, 10)).toEqual([...units].reverse());
    q.unqueue(units[1]!);
    q.unqueue(units[1]!); // idempotent
    expect(units[1]!.queued).toBe(false);
    expect(q.depth).toBe(2);
    expect(q.newestReady(all, 10, 10)).toEqual([units[2], units[0]]);
    await Promise.resolve();
    expect(log).toEqual(['a', 'c']);
    expect(q.depth).toBe(0);
  });

  it('a unit unqueued and scheduled again runs once, and the depth stays exact', async () => {
    const q = new RunQueue<Job>(5);
    const log: string[] = [];
    const [a, b] = ['a', 'b'].map((n) => job(n, log));
    q.schedule(a!);
    q.schedule(b!);
    q.unqueue(a!);
    q.schedule(a!); // two entries for a: the stale one first
    expect(q.depth).toBe(2);
    expect(q.newestReady(() => true, 10, 10)).toEqual([a, b]); // a once: a thief must not take it twice
    await Promise.resolve();
    expect(log).toEqual(['a', 'b']);
    expect(q.depth).toBe(0);
  });

  it('newestReady: newest first, at most `want`, only what passes, among the `limit` newest entries', () => {
    const q = new RunQueue<Job>(5);
    const log: string[] = [];
    const units = Array.from({ length: 10 }, (_, i) => job(`u${i}`, log));
    for (const u of units) q.schedule(u);
    const names = (xs: Job[]) => xs.map((u) => u.name);
    expect(names(q.newestReady(() => true, 3, 100))).toEqual(['u9', 'u8', 'u7']);
    const even = (u: Job) => Number(u.name.slice(1)) % 2 === 0;
    expect(names(q.newestReady(even, 100, 100))).toEqual(['u8', 'u6', 'u4', 'u2', 'u0']);
    // The bound: only the 4 newest entries are looked at, however many would pass further back.
    expect(names(q.newestReady(even, 100, 4))).toEqual(['u8', 'u6']);
    expect(q.depth).toBe(10); // the queue is left as it was
    expect(units.every((u) => u.queued)).toBe(true);
  });

  it('probe sees each turn before it runs and null when the drain runs dry', async () => {
    const q = new RunQueue<Job>(5);
    const log: string[] = [];
    q.probe = (u) => log.push(u === null ? 'dry' : `probe ${u.name} depth ${q.depth}`);
    q.schedule(job('a', log));
    q.schedule(job('b', log));
    await Promise.resolve();
    expect(log).toEqual(['probe a depth 1', 'a', 'probe b depth 0', 'b', 'dry']);
  });

  it('urgent ends the drain at its next check and heard is told; a preempting turn ends it at once', async () => {
    fakeClock();
    const q = new RunQueue<Job>(5);
    q.checkMask = 0; // an executor checks after every turn
    const log: string[] = [];
    let ring = false;
    q.urgent = () => ring;
    q.heard = () => {
      log.push('heard');
      ring = false;
    };
    q.schedule(job('a', log, () => (ring = true)));
    q.schedule(job('b', log));
    q.schedule(
      job('c', log, () => {
        q.preempt = true;
      }),
    );
    q.schedule(job('d', log));
    await Promise.resolve();
    expect(log).toEqual(['a', 'heard']); // the ring is answered before b runs
    await macrotask();
    expect(log).toEqual(['a', 'heard', 'b', 'c', 'heard']);
    expect(q.preempt).toBe(false);
    await macrotask();
    expect(log).toEqual(['a', 'heard', 'b', 'c', 'heard', 'd']);
  });

  it('times turns with checkMask 0 (not while they average under 2 µs) and calls midDrain at each check', async () => {
    const clock = fakeClock();
    const q = new RunQueue<Job>(5);
    q.checkMask = 0;
    const timed: string[] = [];
    const mid: number[] = [];
    q.timed = (u, ms) => timed.push(`${u.name} ${ms.toFixed(3)}`);
    q.midDrain = (elapsed) => mid.push(Number(elapsed.toFixed(3)));
    const log: string[] = [];
    q.schedule(job('slow', log, () => (clock.t += 0.01)));
    q.schedule(job('slower', log, () => (clock.t += 0.02)));
    await Promise.resolve();
    expect(timed).toEqual(['slow 0.010', 'slower 0.020']);
    expect(mid).toEqual([0.01, 0.03]);
    // Turns of no measurable time: after the first check the clock is read every 64 turns only,
    // and such turns are not timed (the clock read would cost as much as the turn).
    timed.length = 0;
    mid.length = 0;
    const fast = worker(q, 'fast', 130, log);
    q.schedule(fast);
    await Promise.resolve();
    expect(timed).toEqual(['fast 0.000']); // turn 1 only
    expect(mid.length).toBe(3); // turns 1, 64 and 128
  });

  it('counts busy time, the running drain included', async () => {
    const clock = fakeClock();
    const q = new RunQueue<Job>(5);
    let during = -1;
    q.schedule(
      job('a', [], () => {
        clock.t += 2;
        during = q.busyNow();
      }),
    );
    expect(q.busyNow()).toBe(0);
    await Promise.resolve();
    expect(during).toBe(2);
    expect(q.busyMs).toBe(2);
    expect(q.busyNow()).toBe(2);
  });
});
