import { describe, expect, it } from 'vitest';
import { RingQueue } from '../src/ring-queue.ts';

describe('RingQueue', () => {
  it('is a FIFO that grows; lastMatching reads matching items newest first and leaves the queue as it is', () => {
    const q = new RingQueue<number>();
    expect(q.shift()).toBeUndefined();
    for (let i = 0; i < 100; i++) q.push(i);
    for (let i = 0; i < 60; i++) q.shift(); // head at 60 of 128 slots: the next pushes wrap around
    for (let i = 100; i < 180; i++) q.push(i);
    expect(q.length).toBe(120);
    const tens = [...Array(12).keys()].map((k) => 170 - 10 * k);
    expect(q.lastMatching((x) => x % 10 === 0, 100, 1000)).toEqual(tens);
    expect(q.lastMatching((x) => x % 10 === 0, 3, 1000)).toEqual([170, 160, 150]);
    // Only the 25 newest (155..179) are looked at.
    expect(q.lastMatching((x) => x % 10 === 0, 100, 25)).toEqual([170, 160]);
    expect(q.length).toBe(120);
    const rest: number[] = [];
    for (let x = q.shift(); x !== undefined; x = q.shift()) rest.push(x);
    expect(rest).toEqual([...Array(120).keys()].map((x) => x + 60));
  });

  it('wraps around without losing order', () => {
    const q = new RingQueue<number>();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 1000; round++) {
      for (let i = 0; i < 7; i++) q.push(next++);
      for (let i = 0; i < 5; i++) expect(q.shift()).toBe(expected++);
    }
    expect(q.length).toBe(2000);
  });
});
