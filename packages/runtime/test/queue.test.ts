import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PairQueue } from '../src/kernel/queue.ts';

type Op =
  | { k: 'push'; v: number }
  | { k: 'shift' }
  | { k: 'unshift'; v: number }
  | { k: 'pop' }
  | { k: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.integer().map((v) => ({ k: 'push' as const, v })) },
  { weight: 4, arbitrary: fc.constant({ k: 'shift' as const }) },
  { weight: 1, arbitrary: fc.integer().map((v) => ({ k: 'unshift' as const, v })) },
  { weight: 1, arbitrary: fc.constant({ k: 'pop' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'clear' as const }) },
);

describe('PairQueue', () => {
  it('starts empty and keeps item and meta together in FIFO order', () => {
    const q = new PairQueue<string, number>();
    expect(q.length).toBe(0);
    expect(q.toArray()).toEqual([]);
    q.push('a', 1);
    q.push('b', 2);
    expect(q.length).toBe(2);
    expect(q.shift()).toBe('a');
    expect(q.meta).toBe(1);
    expect(q.shift()).toBe('b');
    expect(q.meta).toBe(2);
    expect(q.length).toBe(0);
  });

  it('holds a large backlog across many segments without reordering', () => {
    const q = new PairQueue<number, number>();
    const n = 100_000;
    for (let i = 0; i < n; i++) q.push(i, -i);
    expect(q.length).toBe(n);
    let wrong = 0;
    for (let i = 0; i < n; i++) if (q.shift() !== i || q.meta !== -i) wrong++;
    expect(wrong).toBe(0);
    expect(q.length).toBe(0);
  });

  it('streams (never empty) through segment reuse in order', () => {
    const q = new PairQueue<number, undefined>();
    let next = 0;
    let expected = 0;
    for (let i = 0; i < 3; i++) q.push(next++, undefined);
    let wrong = 0;
    for (let i = 0; i < 50_000; i++) {
      q.push(next++, undefined);
      if (q.shift() !== expected++) wrong++;
    }
    expect(wrong).toBe(0);
    expect(q.length).toBe(3);
  });

  it('unshift puts a pair back at the front; pop removes the newest', () => {
    const q = new PairQueue<string, string>();
    q.push('b', 'mb');
    q.unshift('a', 'ma');
    q.push('c', 'mc');
    expect(q.toArray()).toEqual([
      ['a', 'ma'],
      ['b', 'mb'],
      ['c', 'mc'],
    ]);
    expect(q.pop()).toBe('c');
    expect(q.meta).toBe('mc');
    expect(q.shift()).toBe('a');
    expect(q.meta).toBe('ma');
  });

  it('behaves like an array of pairs under any operation sequence (model)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.integer({ min: 0, max: 40 }), (ops, prefill) => {
        const q = new PairQueue<number, string>();
        const model: Array<[number, string]> = [];
        for (let i = 0; i < prefill; i++) {
          q.push(i, `m${i}`);
          model.push([i, `m${i}`]);
        }
        for (const o of ops) {
          switch (o.k) {
            case 'push':
              q.push(o.v, `m${o.v}`);
              model.push([o.v, `m${o.v}`]);
              break;
            case 'unshift':
              q.unshift(o.v, `u${o.v}`);
              model.unshift([o.v, `u${o.v}`]);
              break;
            case 'shift':
              if (model.length === 0) break;
              {
                const [v, m] = model.shift()!;
                expect(q.shift()).toBe(v);
                expect(q.meta).toBe(m);
              }
              break;
            case 'pop':
              if (model.length === 0) break;
              {
                const [v, m] = model.pop()!;
                expect(q.pop()).toBe(v);
                expect(q.meta).toBe(m);
              }
              break;
            case 'clear':
              q.clear();
              model.length = 0;
              break;
          }
          expect(q.length).toBe(model.length);
        }
        expect(q.toArray()).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it('many pops across segment boundaries then pushes keep order', () => {
    const q = new PairQueue<number, undefined>();
    for (let i = 0; i < 5000; i++) q.push(i, undefined);
    for (let i = 4999; i >= 1000; i--) expect(q.pop()).toBe(i);
    for (let i = 1000; i < 3000; i++) q.push(i, undefined);
    for (let i = 0; i < 3000; i++) expect(q.shift()).toBe(i);
    expect(q.length).toBe(0);
  });
});
