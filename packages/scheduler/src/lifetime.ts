/**
 * ProcessLifetime: the process's life with executors, on the main thread.
 * Worker threads are unref'd, so they never hold the process by themselves;
 * in one thread and with executors alike, pending work keeps the process
 * alive and an idle system lets it exit (runtime README, "Process lifetime").
 * It reads the executors' rows (activity.ts) and the main thread's own holds
 * (`MainLifetime`: the runtime's kernel Lifetime), never the units.
 *
 * Protocol:
 * 1. The main thread's own pending work (in the runtime: asks, requests to
 *    executors, a stop or migration awaited) holds the process through its
 *    `MainLifetime`, as in one thread.
 * 2. Executors' work is read from shared memory (activity.ts): a
 *    node is active, holds pending work, or has batches it has not read.
 * 3. While executors may have work — the main thread posted a batch to one,
 *    or its own last hold was released (an answer arrived: the executors
 *    may still be working) — a poll runs on a ref'd timer, which holds the
 *    process, and checks `quiescent` after 1 ms, then backs off (doubling
 *    up to POLL_MAX_MS) while they are busy.
 * 4. The poll stops when the main thread holds something (its Lifetime
 *    holds the process; its release restarts the poll) or when the system
 *    is quiescent. Nothing is ref'd then: the process exits unless the
 *    application holds it. An idle system wakes only through the main
 *    thread, which restarts the poll (step 3).
 *
 * Cost: nothing per message; a check per main-thread batch (is a poll
 * armed) and, while executors work, one board scan every POLL_MAX_MS.
 */
import { quiescent } from './activity.ts';
import { type Board, SLOT } from './board.ts';
import type { Channel } from './transport.ts';

/** The main thread's own holds, as the poll needs them (the runtime's kernel Lifetime is one). */
export interface MainLifetime {
  /** Pending work the main thread holds the process for now. */
  readonly holds: number;
  /** Also calls `also` at every 0↔1 transition of `holds`. */
  observe(also: (holding: boolean) => void): void;
}

/** Longest pause between two checks while the executors are busy, ms (an idle system exits within it). */
export const POLL_MAX_MS = 50;

export class ProcessLifetime {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private delay = 1;
  private stopped = false;

  constructor(
    private readonly board: Board,
    private readonly main: MainLifetime,
  ) {
    main.observe((holding) => {
      if (!holding) this.poke();
    });
  }

  /** Step 3: the main thread posts its batches to executors through `ch`. */
  watch(ch: Pick<Channel, 'posted'>): void {
    const posted = ch.posted;
    ch.posted = () => {
      posted?.();
      if (this.timer === null) this.poke();
    };
  }

  /** Step 3: executors may have work; check until they are idle. */
  poke(): void {
    if (this.timer !== null || this.stopped) return;
    this.delay = 1;
    this.timer = setTimeout(this.check, this.delay);
  }

  /** The executors are gone (terminateExecutors): nothing left to wait for. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** True while no node has work, as far as shared memory tells (activity.ts reader protocol). */
  idle(): boolean {
    const nodes: number[] = [];
    // Running and leaving executors (alive 1 or 2); a lost one's unread batches are recovery's.
    for (let n = 1; n < this.board.nodes; n++) if (this.board.get(n, SLOT.alive) !== 0) nodes.push(n);
    return quiescent(this.board, nodes);
  }

  /** Step 4. */
  private readonly check = (): void => {
    this.timer = null;
    if (this.stopped || this.main.holds > 0 || this.idle()) return;
    this.delay = Math.min(POLL_MAX_MS, this.delay * 2);
    this.timer = setTimeout(this.check, this.delay);
  };
}
