/**
 * Activity (src/activity.ts): the main thread's `quiescent` must never call a system idle
 * while work remains, however the executors' steps interleave with its reads, and must call
 * it idle once the work is done. A model of two executors and the main thread runs the
 * writer protocol with the real `Activity` and board; fast-check picks which step runs next,
 * including between any two of the reader's loads (the board below runs them there).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Activity, quiescent } from '../src/activity.ts';
import { Board } from '../src/board.ts';

/** Runs `between` before every read the reader makes: another thread's steps land there. */
class Interleaved extends Board {
  between: (() => void) | null = null;
  override load(node: number, slot: number): number {
    this.between?.();
    return super.load(node, slot);
  }
  override posts(node: number): number {
    this.between?.();
    return super.posts(node);
  }
}

interface Send {
  to: number;
  /** Posted, not yet counted (a sender counts a batch right after posting it). */
  posted: boolean;
  /** The continuation of an async handler: its hold is released after the send. */
  release: boolean;
}

interface ModelNode {
  readonly act: Activity;
  batchesIn: number;
  /** Messages read, not yet handled. */
  queue: number;
  timers: number;
  /** Handlers awaiting a promise. */
  awaiting: number;
  send: Send | null;
}

const EXECUTORS = [1, 2];

class Model {
  readonly board = new Interleaved(3);
  readonly nodes: ModelNode[] = [0, 1, 2].map((n) => ({
    act: new Activity(this.board, n),
    batchesIn: 0,
    queue: 0,
    timers: 0,
    awaiting: 0,
    send: null,
  }));
  /** Batches in each node's port, as message counts. */
  readonly ports: number[][] = [[], [], []];
  constructor(
    private readonly choose: () => number,
    /** Effects (sends, timers, async handlers) left: every run ends. */
    private budget: number,
  ) {}

  private holds(x: ModelNode): number {
    return x.timers + x.awaiting;
  }
  private hold(x: ModelNode, k: 'timers' | 'awaiting'): void {
    if (this.holds(x) === 0) x.act.holding(true);
    x[k]++;
  }
  private release(x: ModelNode, k: 'timers' | 'awaiting'): void {
    x[k]--;
    if (this.holds(x) === 0) x.act.holding(false);
  }

  /** Steps that may run now; the main thread's only while it is not the one reading. */
  steps(mainToo: boolean): Array<() => void> {
    const out: Array<() => void> = [];
    const main = this.nodes[0]!;
    if (mainToo && this.ports[0]!.length > 0)
      out.push(() => {
        main.act.read(++main.batchesIn);
        this.ports[0]!.shift();
      });
    for (const n of EXECUTORS) {
      const x = this.nodes[n]!;
      const s = x.send;
      if (s !== null) {
        // A handler is sending: post, then count the post, then (continuation) release its hold.
        out.push(() => {
          if (!s.posted) {
            this.ports[s.to]!.push(1);
            s.posted = true;
            return;
          }
          this.board.post(s.to);
          x.send = null;
          if (s.release) this.release(x, 'awaiting');
        });
        continue;
      }
      if (this.ports[n]!.length > 0)
        out.push(() => {
          x.act.read(++x.batchesIn);
          x.queue += this.ports[n]!.shift()!;
        });
      if (x.queue > 0) out.push(() => this.run(n, x));
      if (x.timers > 0)
        out.push(() => {
          this.release(x, 'timers');
          x.queue++; // its message, handled by the next run
        });
      if (x.awaiting > 0)
        out.push(() => {
          // The continuation runs user code (which may send) before the hold goes.
          if (this.budget > 0 && this.choose() % 2 === 0) {
            this.budget--;
            x.send = { to: this.peer(n), posted: false, release: true };
          } else this.release(x, 'awaiting');
        });
      if (x.queue === 0 && x.act.isActive) out.push(() => x.act.idle());
    }
    return out;
  }

  private peer(n: number): number {
    const others = [0, 1, 2].filter((m) => m !== n);
    return others[this.choose() % others.length]!;
  }

  private run(n: number, x: ModelNode): void {
    x.queue--;
    const effect = this.budget > 0 ? this.choose() % 4 : 0;
    if (effect > 0) this.budget--;
    if (effect === 1) x.send = { to: this.peer(n), posted: false, release: false };
    else if (effect === 2) this.hold(x, 'timers');
    else if (effect === 3) this.hold(x, 'awaiting');
  }

  /** Runs one enabled step; false when none is. */
  step(mainToo: boolean): boolean {
    const s = this.steps(mainToo);
    if (s.length === 0) return false;
    s[this.choose() % s.length]!();
    return true;
  }

  /** The truth the reader may only approximate: nothing anywhere left to do. */
  idle(): boolean {
    return (
      this.ports.every((p) => p.length === 0) &&
      this.nodes.every((x) => x.queue === 0 && this.holds(x) === 0 && x.send === null)
    );
  }
}

describe('quiescent (activity reader protocol)', () => {
  it('never calls a busy system idle, whatever runs between its reads, and calls a finished one idle', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 400 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
        fc.nat(12),
        (choices, initial, budget) => {
          let i = 0;
          const choose = () => choices[i++ % choices.length]!;
          const m = new Model(choose, budget);
          // The main thread posts a few batches (tells, requests) and then only watches.
          initial.forEach((k, j) => {
            const to = EXECUTORS[j % EXECUTORS.length]!;
            m.ports[to]!.push(k);
            m.board.post(to);
          });
          for (let round = 0; round < 200; round++) {
            for (let k = choose() % 4; k > 0; k--) m.step(true);
            m.board.between = () => {
              for (let k = choose() % 3; k > 0; k--) m.step(false);
            };
            const said = quiescent(m.board, EXECUTORS);
            m.board.between = null;
            if (said) expect(m.idle()).toBe(true);
            if (m.idle() && said) break;
          }
          // Everything left runs to its end (ticks included): the reader must then agree.
          let guard = 10_000;
          while (m.step(true) && guard-- > 0);
          for (const n of EXECUTORS) m.nodes[n]!.act.idle();
          expect(m.idle()).toBe(true);
          expect(quiescent(m.board, EXECUTORS)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});
