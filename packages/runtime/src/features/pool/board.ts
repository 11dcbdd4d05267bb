/**
 * PoolBoard: one SharedArrayBuffer per pool that the pool (main thread) and
 * its workers (on any executor) read and write without a message, because a
 * message cannot reach a worker whose thread is busy running a task:
 *
 * - `running[slot]`: the dispatch number of the task the worker in `slot` is
 *   running (0: none). When a worker is lost with its executor, the pool reads
 *   it to tell the task that was running (it failed: TaskLostError) from
 *   those the worker had only been handed (they go back to the queue).
 * - `cancelled[k & MASK] = k`: dispatch k is cancelled. A worker checks it
 *   before it starts a task it was handed (a cancelled one is skipped, never
 *   run), and `isCancelled()` reads it for a synchronous task that polls.
 *   Equality, not a flag: a later dispatch that shares the cell only makes a
 *   cancelled task run after all (its result is discarded), never skips a
 *   live one.
 * - `abort[slot]` (+ `reason[slot]`): the dispatch to abort in that slot; the
 *   worker of an async task that reads its `signal` waits on the word with
 *   `Atomics.waitAsync`, and the pool notifies it.
 *
 * Order of writes: the pool writes `cancelled` before `abort`; a worker
 * writes `running` before it reads `cancelled`. With sequentially consistent
 * atomics one of the two sees the other, so a task is either skipped or its
 * abort is heard.
 *
 * Every thread keeps the boards it knows in `boards` (this module's own
 * instance per thread). The main thread publishes a pool's board there and
 * answers on a BroadcastChannel named after the pool; an executor that runs a
 * worker of a pool it has not seen asks on that channel once (boardFor).
 */
import { BroadcastChannel } from 'node:worker_threads';
import { MAX_WORKERS } from './options.ts';

const RING = 8192;
const MASK = RING - 1;
const RUNNING = 0;
const ABORT = MAX_WORKERS;
const REASON = 2 * MAX_WORKERS;
const CANCELLED = 3 * MAX_WORKERS;
const WORDS = CANCELLED + RING;

/** Why a dispatch was aborted, by code (index + 1): the worker builds its signal's reason from it. */
export const ABORT_REASONS = ['aborted', 'timeout', 'group', 'closed', 'destroyed', 'shutdown'] as const;
export type AbortReason = (typeof ABORT_REASONS)[number];
export const abortCode = (r: AbortReason): number => ABORT_REASONS.indexOf(r) + 1;
const CANCELLED_CODE = 1;

/** How long an executor waits for the main thread to lend a pool's board, ms. */
const HANDSHAKE_MS = 10_000;

export class PoolBoard {
  readonly words: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(WORDS * 4)) {
    this.words = new Int32Array(buffer);
  }

  // ---- worker side ---------------------------------------------------------

  /** The worker in `slot` starts dispatch `k`; false when `k` was cancelled (skip it). */
  start(slot: number, k: number): boolean {
    Atomics.store(this.words, RUNNING + slot, k);
    if (Atomics.load(this.words, CANCELLED + (k & MASK)) !== k) return true;
    Atomics.store(this.words, RUNNING + slot, 0);
    return false;
  }

  end(slot: number): void {
    Atomics.store(this.words, RUNNING + slot, 0);
  }

  isCancelled(k: number): boolean {
    return Atomics.load(this.words, CANCELLED + (k & MASK)) === k;
  }

  /** The reason dispatch `k` in `slot` was aborted, or 0 when it was not. */
  abortedWith(slot: number, k: number): number {
    if (Atomics.load(this.words, ABORT + slot) !== k) return this.isCancelled(k) ? CANCELLED_CODE : 0;
    return Atomics.load(this.words, REASON + slot);
  }

  /**
   * Calls `onAbort(reason)` once dispatch `k` in `slot` is aborted, until `done()` is called.
   * Each wake-up of the word (another dispatch of the slot aborted) re-checks and waits again.
   */
  watch(slot: number, k: number, onAbort: (reason: number) => void): () => void {
    let over = false;
    const idx = ABORT + slot;
    const loop = (): void => {
      if (over) return;
      const seen = Atomics.load(this.words, idx);
      const why = this.abortedWith(slot, k);
      if (why !== 0) {
        over = true;
        onAbort(why);
        return;
      }
      const w = waitAsync(this.words, idx, seen);
      if (w.async) void (w.value as Promise<string>).then(loop);
      else queueMicrotask(loop);
    };
    loop();
    return () => {
      if (over) return;
      over = true;
      // Wakes our own waiter so its promise settles (waiters otherwise live until a notify).
      Atomics.notify(this.words, idx);
    };
  }

  // ---- pool side -----------------------------------------------------------

  /** Dispatch `k`, handed to the worker in `slot`, is cancelled or timed out. */
  cancel(slot: number, k: number, reason: number): void {
    Atomics.store(this.words, CANCELLED + (k & MASK), k);
    Atomics.store(this.words, REASON + slot, reason);
    Atomics.store(this.words, ABORT + slot, k);
    Atomics.notify(this.words, ABORT + slot);
  }

  /** Whether the worker in `slot` had started dispatch `k` (read once the worker is gone). */
  started(slot: number, k: number): boolean {
    return Atomics.load(this.words, RUNNING + slot) === k;
  }

  /** The slot is free again (its worker stopped or was lost). */
  clear(slot: number): void {
    Atomics.store(this.words, RUNNING + slot, 0);
    Atomics.store(this.words, ABORT + slot, 0);
  }
}

/** This thread's boards by pool id: published (main thread) or fetched (executors). */
/** `Atomics.waitAsync` (Node ≥ 16), which this TypeScript lib does not declare yet. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

const boards = new Map<string, PoolBoard | Promise<PoolBoard>>();
const channelName = (pool: string) => `troupe.pool/${pool}`;

/**
 * Main thread: makes `board` known to this thread and lends it to executors that ask.
 * Returns a function that withdraws it (the pool is gone).
 */
export function publishBoard(pool: string, board: PoolBoard): () => void {
  boards.set(pool, board);
  const ch = new BroadcastChannel(channelName(pool));
  ch.onmessage = (e) => {
    if ((e as MessageEvent).data === 'board?') ch.postMessage(board.buffer);
  };
  // An idle pool must not hold the process; executors only ask while a worker of it runs.
  (ch as unknown as { unref(): void }).unref();
  return () => {
    boards.delete(pool);
    ch.close();
  };
}

/** The board of `pool` on this thread: at once when known, else a promise of it (one handshake per thread). */
export function boardFor(pool: string): PoolBoard | Promise<PoolBoard> {
  const known = boards.get(pool);
  if (known !== undefined) return known;
  const p = new Promise<PoolBoard>((resolve, reject) => {
    const ch = new BroadcastChannel(channelName(pool));
    const timer = setTimeout(() => {
      ch.close();
      boards.delete(pool);
      reject(
        new Error(`troupe: pool ${pool} did not lend its board within ${HANDSHAKE_MS} ms (is it gone?)`),
      );
    }, HANDSHAKE_MS);
    timer.unref();
    ch.onmessage = (e) => {
      const data = (e as MessageEvent).data;
      if (!(data instanceof SharedArrayBuffer)) return;
      clearTimeout(timer);
      ch.close();
      const b = new PoolBoard(data);
      boards.set(pool, b);
      resolve(b);
    };
    ch.postMessage('board?');
  });
  boards.set(pool, p);
  return p;
}

/** Forgets `pool`'s board on this thread (tests; a pool's workers are gone). */
export function forgetBoard(pool: string): void {
  boards.delete(pool);
}
