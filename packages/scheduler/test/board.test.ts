/**
 * The board is read by other threads while its owner writes it: a row must
 * never show a counter lower than one it showed before, and the doorbell
 * must change on every ring.
 */
import { describe, expect, it } from 'vitest';
import { Board, DEAD_REASONS, SLOT, STRIDE } from '../src/board.ts';

/** Records every slot write, as another thread could observe it between two writes. */
class Watched extends Board {
  readonly writes: Array<[number, number]> = [];
  override set(node: number, slot: number, value: number): void {
    this.writes.push([slot, value]);
    super.set(node, slot, value);
  }
}

describe('Board', () => {
  it('setReasons never shows a reader a count lower than the one before (no zero-then-refill)', () => {
    const b = new Watched(2);
    b.setReasons(
      1,
      new Map([
        ['failed', 5],
        ['stopped', 2],
        ['something-new', 1],
      ]),
    );
    b.writes.length = 0;
    b.setReasons(
      1,
      new Map([
        ['failed', 6],
        ['stopped', 2],
        ['something-new', 1],
      ]),
    );
    const seen = new Map<number, number>();
    for (const [slot, v] of b.writes) {
      expect(seen.has(slot)).toBe(false); // each slot written once
      seen.set(slot, v);
    }
    const failed = SLOT.reasons + DEAD_REASONS.indexOf('failed');
    expect(seen.get(failed)).toBe(6);
    expect(b.reasons(1)).toEqual({ failed: 6, stopped: 2, other: 1 });
  });

  it('a ring changes the doorbell; rows do not share it', () => {
    const b = new Board(3);
    const before = [b.bell(1), b.bell(2)];
    b.ring(1);
    b.ring(1);
    expect(b.bell(1)).toBe(before[0]! + 2);
    expect(b.bell(2)).toBe(before[1]);
    // The doorbell lives in its own slot: the counters next to it are untouched.
    expect(b.get(1, SLOT.snapshotsIn)).toBe(0);
  });

  it('one sequence for every view of the buffer (every thread): seeded past earlier numbers, never back', () => {
    const a = new Board(3);
    const b = new Board(3, a.buffer); // what an executor builds from the same buffer
    a.seedSeq(5);
    expect([a.nextSeq(), b.nextSeq(), a.nextSeq()]).toEqual([6, 7, 8]);
    b.seedSeq(2); // only raises
    expect(b.nextSeq()).toBe(9);
    // Off the rows: no node's slots moved.
    for (let n = 0; n < 3; n++) for (let s = 0; s < STRIDE; s++) expect(a.get(n, s)).toBe(0);
  });
});
