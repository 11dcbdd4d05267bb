/**
 * ProcessLifetime (src/lifetime.ts): the main thread's poll that holds the process while executors
 * may have work and lets it go once they are quiescent. Fake timers stand in for the event loop;
 * the executors are rows of a real board, marked through the real Activity writer.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Activity } from '../src/activity.ts';
import { Board, SLOT } from '../src/board.ts';
import { type MainLifetime, POLL_MAX_MS, ProcessLifetime } from '../src/lifetime.ts';

/** The main thread's own holds (the runtime's Lifetime), as the poll sees them. */
class Main implements MainLifetime {
  holds = 0;
  private also: ((holding: boolean) => void) | null = null;
  observe(also: (holding: boolean) => void): void {
    this.also = also;
  }
  hold(): void {
    if (this.holds++ === 0) this.also?.(true);
  }
  release(): void {
    if (--this.holds === 0) this.also?.(false);
  }
}

function setup(): { board: Board; exec: Activity; main: Main; life: ProcessLifetime } {
  const board = new Board(3);
  board.set(1, SLOT.alive, 1);
  const exec = new Activity(board, 1); // starts active: a fresh executor has work until its first idle tick
  const main = new Main();
  return { board, exec, main, life: new ProcessLifetime(board, main) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ProcessLifetime over board rows', () => {
  it('steps 3–4: a poke polls while an executor is active, backing off to POLL_MAX_MS, and stops once it is idle', () => {
    const { exec, life } = setup();
    expect(vi.getTimerCount()).toBe(0); // nothing armed: an idle system holds nothing
    life.poke();
    life.poke(); // one poll at a time
    expect(vi.getTimerCount()).toBe(1);
    const gaps: number[] = [];
    let last = Date.now();
    for (let i = 0; i < 8; i++) {
      vi.advanceTimersToNextTimer();
      gaps.push(Date.now() - last);
      last = Date.now();
    }
    expect(gaps).toEqual([1, 2, 4, 8, 16, 32, POLL_MAX_MS, POLL_MAX_MS]);
    expect(vi.getTimerCount()).toBe(1);
    exec.idle();
    vi.advanceTimersToNextTimer();
    expect(vi.getTimerCount()).toBe(0);
    expect(life.idle()).toBe(true);
  });

  it('a batch posted to an executor and not yet read is work: the poll holds until it is read', () => {
    const { board, exec, life } = setup();
    exec.idle();
    board.post(1);
    expect(life.idle()).toBe(false);
    life.poke();
    vi.advanceTimersByTime(200);
    expect(vi.getTimerCount()).toBe(1);
    exec.read(1); // writer step 3 marks active first
    exec.idle();
    vi.advanceTimersByTime(POLL_MAX_MS);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('step 4: while the main thread holds something the poll stops; its release restarts it', () => {
    const { exec, main, life } = setup();
    life.poke();
    main.hold();
    vi.advanceTimersToNextTimer();
    expect(vi.getTimerCount()).toBe(0); // the main thread's hold keeps the process; no poll needed
    main.release();
    expect(vi.getTimerCount()).toBe(1);
    exec.idle();
    vi.runAllTimers();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('step 3: each batch the main thread posts through a watched channel arms the poll (and the old callback still runs)', () => {
    const { exec, life } = setup();
    exec.idle();
    let counted = 0;
    const ch = { posted: (() => counted++) as (() => void) | null };
    life.watch(ch);
    ch.posted!();
    expect(counted).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    ch.posted!(); // armed already: still one poll
    expect(vi.getTimerCount()).toBe(1);
    vi.runAllTimers();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop: no poll runs or starts again once the executors are gone; dead rows (alive 0) are not read', () => {
    const { board, life } = setup();
    life.poke();
    life.stop();
    expect(vi.getTimerCount()).toBe(0);
    life.poke();
    expect(vi.getTimerCount()).toBe(0);
    board.set(1, SLOT.alive, 0); // lost: its unread batches are recovery's
    board.post(1);
    expect(life.idle()).toBe(true);
  });
});
