import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriorityQueue } from '../src/features/pool/priority-queue.ts';
import { DONE, Task } from '../src/features/pool/task.ts';
import { TokenBucket } from '../src/features/pool/token-bucket.ts';
import { SimulatedClock } from '../src/kernel/clock.ts';

let seq = 0;
const task = (priority: number, input: unknown = priority): Task =>
  new Task(
    ++seq,
    input,
    { priority, timeoutMs: Number.POSITIVE_INFINITY, retry: null, signal: undefined, id: undefined },
    () => {},
    () => {},
  );

const drain = (q: PriorityQueue, now: number): unknown[] => {
  const out: unknown[] = [];
  for (let t = q.shift(now); t !== undefined; t = q.shift(now)) out.push(t.input);
  return out;
};

describe('pool priority queue', () => {
  it('runs high priority first and keeps FIFO within a level', () => {
    const q = new PriorityQueue(3, Number.POSITIVE_INFINITY);
    for (const [p, x] of [
      [0, 'a0'],
      [2, 'a2'],
      [1, 'a1'],
      [0, 'b0'],
      [2, 'b2'],
      [1, 'b1'],
    ] as const)
      q.push(task(p, x), 0);
    expect(q.byLevel()).toEqual([2, 2, 2]);
    expect(drain(q, 1_000_000)).toEqual(['a2', 'b2', 'a1', 'b1', 'a0', 'b0']);
    expect(q.size).toBe(0);
  });

  it('ages a waiting task one level per agingMs, so low priority is not starved', () => {
    const q = new PriorityQueue(3, 100);
    q.push(task(0, 'low'), 0);
    q.push(task(2, 'high1'), 150);
    // At 150 the low task has climbed one level (1 < 2): the high one goes first.
    expect(q.shift(150)?.input).toBe('high1');
    q.push(task(2, 'high2'), 160);
    // At 200 it has climbed two levels to the top, and it is older than high2.
    expect(q.shift(200)?.input).toBe('low');
    expect(q.shift(200)?.input).toBe('high2');
  });

  it('skips removed (cancelled) tasks and counts only live ones', () => {
    const q = new PriorityQueue(2, Number.POSITIVE_INFINITY);
    const a = task(1, 'a');
    const b = task(1, 'b');
    q.push(a, 0);
    q.push(b, 0);
    q.push(task(0, 'c'), 0);
    q.remove(a);
    a.state = DONE;
    expect(q.size).toBe(2);
    expect([...q.tasks()].map((t) => t.input).sort()).toEqual(['b', 'c']);
    expect(drain(q, 0)).toEqual(['b', 'c']);
  });

  it('without aging, is a stable sort by priority (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 200 }), (ps) => {
        const q = new PriorityQueue(4, Number.POSITIVE_INFINITY);
        for (const [i, p] of ps.entries()) q.push(task(p, i), 0);
        const want = ps
          .map((p, i) => ({ p, i }))
          .sort((x, y) => y.p - x.p || x.i - y.i)
          .map((x) => x.i);
        expect(drain(q, 0)).toEqual(want);
      }),
    );
  });

  it('with aging, a task waits at most (levels - 1) · agingMs before it runs ahead of newer work (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 50 }), (ps) => {
        // A flood: one new task of each listed priority every 10 ms, one task shifted every 10 ms.
        const q = new PriorityQueue(3, 100);
        const low = task(0, 'low');
        q.push(low, 0);
        let now = 0;
        for (let round = 0; round < 100; round++) {
          now += 10;
          for (const p of ps) q.push(task(p, 'flood'), now);
          if (q.shift(now) === low) {
            expect(now).toBeLessThanOrEqual(2 * 100 + 10);
            return;
          }
        }
        throw new Error('the low-priority task starved');
      }),
    );
  });
});

describe('pool token bucket', () => {
  it('allows a burst, then perSecond starts a second, on the injected clock', () => {
    const clock = new SimulatedClock();
    const b = new TokenBucket(10, 2, clock);
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
    expect(b.wait()).toBe(100);
    clock.advance(50);
    expect(b.take()).toBe(false);
    expect(b.wait()).toBe(50);
    clock.advance(50);
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
    // A long pause refills to the burst, never beyond it.
    clock.advance(10_000);
    expect([b.take(), b.take(), b.take()]).toEqual([true, true, false]);
  });
});
