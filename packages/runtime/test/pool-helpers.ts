/**
 * Test helpers for task pools: a task function whose runs the test opens or
 * fails one by one (gates), recording which inputs started and how many ran
 * at once. No wall-clock time is involved.
 */
import type { TaskContext } from '@troupe/runtime';
import { deferred } from './helpers.ts';

export interface Gated {
  readonly fn: (x: string, ctx: TaskContext) => Promise<string>;
  /** Inputs in the order their runs started. */
  readonly started: string[];
  /** The context each run got, by input. */
  readonly ctx: Map<string, TaskContext>;
  open(x: string, v?: string): void;
  fail(x: string, e: unknown): void;
  readonly running: number;
  /** The most runs at once so far. */
  readonly peak: number;
}

export function gated(): Gated {
  const gates = new Map<string, ReturnType<typeof deferred<string>>>();
  const gate = (x: string) => {
    let g = gates.get(x);
    if (g === undefined) {
      g = deferred<string>();
      g.promise.catch(() => {}); // failed before its task ran (or never ran): not an unhandled rejection
      gates.set(x, g);
    }
    return g;
  };
  const started: string[] = [];
  const ctx = new Map<string, TaskContext>();
  let running = 0;
  let peak = 0;
  return {
    fn: async (x, c) => {
      started.push(x);
      ctx.set(x, c);
      running++;
      peak = Math.max(peak, running);
      try {
        return await gate(x).promise;
      } finally {
        running--;
      }
    },
    started,
    ctx,
    open: (x, v = x) => gate(x).resolve(v),
    fail: (x, e) => gate(x).reject(e),
    get running() {
      return running;
    },
    get peak() {
      return peak;
    },
  };
}

/** Records how a promise settled, without an unhandled rejection. */
export function outcome<T>(p: Promise<T>): {
  readonly settled: boolean;
  readonly value?: T;
  readonly error?: any;
} {
  const o: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  p.then(
    (v) => {
      o.settled = true;
      o.value = v;
    },
    (e: unknown) => {
      o.settled = true;
      o.error = e;
    },
  );
  return o;
}
