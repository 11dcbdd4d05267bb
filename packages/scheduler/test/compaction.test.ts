import { describe, expect, it } from 'vitest';
import { Board, SLOT } from '../src/board.ts';
import {
  COMPACT_MIN_RATE,
  COMPACT_MIN_SHARE,
  COMPACT_WINDOW_MS,
  Compactor,
  LOPSIDED_WINDOWS,
} from '../src/compaction.ts';

/** Executors 1..4 alive; groups [0, 0, 0, 1]. */
function setup() {
  const b = new Board(5);
  for (let n = 1; n <= 4; n++) {
    b.set(n, SLOT.alive, 1);
    b.set(n, SLOT.group, n === 4 ? 1 : 0);
  }
  const ledger = new Map<string, number>();
  const sent = (from: number, to: number) => ledger.get(`${from}>${to}`) ?? 0;
  const send = (from: number, to: number, n: number) => ledger.set(`${from}>${to}`, sent(from, to) + n);
  /** `n` messages between the two, half each way (requests and their answers). */
  const chat = (x: number, y: number, n: number) => {
    send(x, y, n / 2);
    send(y, x, n / 2);
  };
  return { b, sent, send, chat };
}

const W = COMPACT_WINDOW_MS;
/** Messages that make one window's rate exactly the bound. */
const ENOUGH = COMPACT_MIN_RATE * W;

describe('Compactor (gather chatty executors: both mostly idle, or one idle and one busy)', () => {
  it('gathers onto the lower-numbered peer it exchanged enough messages with, both mostly idle', () => {
    const { b, sent, send } = setup();
    const c = new Compactor(2, b, sent);
    expect(c.poll(0, 0)).toBe(-1); // the first window only starts measuring
    send(2, 1, ENOUGH / 2);
    send(1, 2, ENOUGH / 2); // both directions count
    b.set(1, SLOT.busyMs, W * 0.5);
    expect(c.poll(W - 1, 0)).toBe(-1); // the window is not over yet
    expect(c.poll(W, W * 0.5)).toBe(1);
  });

  it('never gathers onto a higher-numbered peer: two executors do not move onto each other', () => {
    const { b, sent, chat } = setup();
    const c = new Compactor(1, b, sent);
    c.poll(0, 0);
    chat(1, 2, ENOUGH * 10);
    expect(c.poll(W, 0)).toBe(-1);
  });

  it('leaves an executor alone that works: over half busy, or over a quarter while its peer is busy', () => {
    const { b, sent, chat } = setup();
    const own = new Compactor(2, b, sent);
    own.poll(0, 0);
    chat(2, 1, ENOUGH * 10);
    expect(own.poll(W, W * 0.51)).toBe(-1);

    const peer = new Compactor(3, b, sent);
    peer.poll(0, 0);
    chat(3, 1, ENOUGH * 10);
    b.set(1, SLOT.busyMs, W * 0.51);
    expect(peer.poll(W, W * 0.26)).toBe(-1);
  });

  it('an idle executor gathers onto a busy peer it is chatty with, whatever their numbers (step 2b)', () => {
    const { b, sent, send, chat } = setup();
    const c = new Compactor(1, b, sent);
    c.poll(0, 0);
    // Saturated, partly by retries that wait on this executor's actors, window after window.
    const lopsidedWindow = (w: number) => {
      send(1, 3, ENOUGH / 2);
      send(3, 1, ENOUGH / 2);
      b.set(3, SLOT.busyMs, w * W * 0.95);
      return c.poll(w * W, w * W * 0.25);
    };
    for (let w = 1; w < LOPSIDED_WINDOWS; w++) expect(lopsidedWindow(w)).toBe(-1); // a passing skew is left alone
    expect(lopsidedWindow(LOPSIDED_WINDOWS)).toBe(3);
    // A balanced window in between starts the count again.
    const d = new Compactor(1, b, sent);
    let t = 10 * W;
    d.poll(t, 0);
    for (let w = 1; w <= 2 * LOPSIDED_WINDOWS; w++) {
      t += W;
      chat(1, 3, ENOUGH);
      b.set(3, SLOT.busyMs, b.get(3, SLOT.busyMs) + W * (w === LOPSIDED_WINDOWS ? 0.4 : 0.95));
      expect(d.poll(t, w * W * 0.25)).toBe(w === 2 * LOPSIDED_WINDOWS ? 3 : -1);
    }
    // The busy side never moves onto the idle one.
    const busy = new Compactor(3, b, sent);
    busy.poll(t, 0);
    chat(1, 3, ENOUGH * 10);
    b.set(1, SLOT.busyMs, b.get(1, SLOT.busyMs) + W * 0.1);
    expect(busy.poll(t + W, W * 0.95)).toBe(-1);
  });

  it('leaves one-way streams alone: each direction must carry a quarter of the traffic', () => {
    const { b, sent, send } = setup();
    const c = new Compactor(2, b, sent);
    c.poll(0, 0);
    send(2, 1, ENOUGH * 10); // a feeder streaming to its workers
    send(1, 2, ENOUGH * 10 * (COMPACT_MIN_SHARE / (1 - COMPACT_MIN_SHARE)) - 1); // answers: just under a quarter
    expect(c.poll(W, 0)).toBe(-1);
    send(2, 1, ENOUGH * 3);
    send(1, 2, ENOUGH); // a quarter each way: requests and answers
    expect(c.poll(2 * W, 0)).toBe(1);
  });

  it('leaves quiet pairs alone: less traffic than the bound', () => {
    const { b, sent, chat } = setup();
    const c = new Compactor(2, b, sent);
    c.poll(0, 0);
    chat(2, 1, ENOUGH - 1);
    expect(c.poll(W, 0)).toBe(-1);
  });

  it('picks the peer with the most traffic, in its own group only', () => {
    const { b, sent, chat } = setup();
    const c = new Compactor(3, b, sent);
    c.poll(0, 0);
    chat(3, 1, ENOUGH);
    chat(3, 2, ENOUGH * 2);
    expect(c.poll(W, 0)).toBe(2);

    const other = new Compactor(4, b, sent); // group 1: its peers 1..3 are in group 0
    other.poll(W, 0);
    chat(4, 1, ENOUGH * 10);
    expect(other.poll(2 * W, 0)).toBe(-1);
  });
});
