import { describe, expect, it } from 'vitest';
import { PoolPolicy } from '../src/adaptive.ts';
import { Board, SLOT } from '../src/board.ts';

function board(n: number): Board {
  const b = new Board(8);
  for (let i = 1; i <= n; i++) b.set(i, SLOT.alive, 1);
  return b;
}
const config = { min: 1, max: 3, idleTimeoutMs: 100, sustainMs: 20, threshold: 2 };

describe('PoolPolicy', () => {
  it('grows after a sustained backlog on every executor, up to max', () => {
    const b = board(2);
    const p = new PoolPolicy(b, config);
    b.set(1, SLOT.queueDepth, 5);
    b.set(2, SLOT.queueDepth, 1);
    expect(p.sample(0)).toBeNull(); // executor 2 can still steal
    b.set(2, SLOT.queueDepth, 3);
    expect(p.sample(10)).toBeNull(); // backlog not sustained yet
    expect(p.sample(30)).toEqual({ grow: true });
    b.set(3, SLOT.alive, 1);
    b.set(3, SLOT.queueDepth, 4);
    expect(p.sample(40)).toBeNull(); // quiet period
    expect(p.sample(100)).toBeNull(); // at max
  });

  it('retires the most idle executor after idleTimeoutMs, never below min', () => {
    const b = board(3);
    const p = new PoolPolicy(b, config);
    expect(p.sample(0)).toBeNull();
    b.set(1, SLOT.tasksCompleted, 10); // executor 1 keeps working
    expect(p.sample(60)).toBeNull();
    b.set(1, SLOT.tasksCompleted, 20);
    const d = p.sample(120);
    expect(d).toEqual({ retire: 2 });
    b.set(2, SLOT.alive, 0);
    b.set(1, SLOT.tasksCompleted, 30);
    expect(p.sample(150)).toEqual({ retire: 3 });
    b.set(3, SLOT.alive, 0);
    expect(p.sample(1000)).toBeNull(); // min reached
  });
});

describe('PoolPolicy and directories', () => {
  it('never retires the birth node of live actors', () => {
    const b = board(2);
    b.set(1, SLOT.directory, 3);
    const p = new PoolPolicy(b, config);
    expect(p.sample(0)).toBeNull();
    expect(p.sample(500)).toEqual({ retire: 2 });
  });
});
