/**
 * Compaction: two executors that spend most of their time waiting on each
 * other's messages run those actors faster on one of them (BEAM does the
 * same: scheduler compaction of load, `+scl`).
 *
 * Each executor thread owns its heap, so every message between two
 * executors is encoded, posted and decoded, and a reply waits for the other
 * thread. Chatty, cheap actors spread over two executors therefore run
 * slower than on one: Savina Big (120 actors pinging at random) made 2.7M
 * msgs/s on 2 executors and 8.5-12M on one. The protocol, on each executor's
 * tick:
 *
 * 1. Over a window of COMPACT_WINDOW_MS it measures its own utilization,
 *    each same-group peer's (their published busy time) and the user
 *    messages exchanged with each peer (the transit ledger, both ways).
 * 2. It gathers onto the peer P with the most traffic when they exchanged
 *    at least COMPACT_MIN_RATE messages per ms, each direction carrying at
 *    least COMPACT_MIN_SHARE of them (actors that wait on each other's
 *    answers; a one-way stream such as Fork-Join throughput's feeder and
 *    workers was gathered, then stolen back, 30 workers each way per run),
 *    and either
 *    a. both were busy at most COMPACT_MAX_UTILIZATION of the window and P
 *       has a lower node number (so two executors never move onto each
 *       other at once), or
 *    b. it was busy at most COMPACT_IDLE_UTILIZATION and P more than
 *       COMPACT_MAX_UTILIZATION for LOPSIDED_WINDOWS windows in a row (the
 *       idle one moves; the two cannot both be it; in Savina Big a single
 *       lopsided window was common and gathering on it undid step a's).
 *       Dining philosophers stranded a few philosophers on an idle
 *       executor in ~1 run in 12: each meal then waited on cross-thread
 *       round trips to an arbiter whose executor was saturated by the
 *       others' retries, and the run took 1.3-2.5 s instead of ~0.1 s.
 *       Stealing never undoes this: the actors it gathers hold one cheap
 *       message at a time, not worth a migration.
 * 3. Gathering migrates its actors to P, at most MAX_STEAL per tick (the
 *    executor applies the stealing rules of what may move: not pinned, not
 *    busy, portable), and never one whose backlog is worth a steal: stealing
 *    would move it back.
 * Load that needs both threads keeps them busy past the bound, so it is never
 * gathered; if P later saturates with work worth moving, stealing (step 2 of
 * stealing.ts) spreads it again.
 */
import { type Board, SLOT } from './board.ts';

/** The measuring window, ms (step 1). */
export const COMPACT_WINDOW_MS = 10;
/** Both executors busy at most this fraction of the window (step 2). */
export const COMPACT_MAX_UTILIZATION = 0.5;
/** Least user messages per ms exchanged between the two (step 2)… */
export const COMPACT_MIN_RATE = 20;
/** …each direction carrying at least this share of them (step 2). */
export const COMPACT_MIN_SHARE = 0.25;
/** An executor busy at most this fraction of the window gathers onto a busier peer (step 2b)… */
export const COMPACT_IDLE_UTILIZATION = 0.25;
/** …once the pair was so lopsided this many windows in a row. */
export const LOPSIDED_WINDOWS = 3;

/** Which rule of step 2 chose the last gathering: both mostly idle (a) or one idle next to a busy one (b). */
export type CompactionRule = 'idle-pair' | 'lopsided';

/** Reads the count of user-message frames `from` posted to `to` (the watchdog's transit ledger). */
export type SentCount = (from: number, to: number) => number;

export class Compactor {
  /** The rule behind the target `poll` returned last (events say why actors moved). */
  rule: CompactionRule = 'idle-pair';
  private windowAt = Number.NEGATIVE_INFINITY;
  private ownBusy = 0;
  /**
   * Per peer at the window's start: its published busy ms, the messages exchanged so far, and how
   * many windows in a row the pair was lopsided (step 2b).
   */
  private readonly peers = new Map<number, { busy: number; out: number; in: number; lopsided: number }>();

  constructor(
    private readonly self: number,
    private readonly board: Board,
    private readonly sent: SentCount,
  ) {}

  /**
   * Steps 1-2, once per tick: the node to gather onto, or -1. `now` is
   * wall-clock ms; `busyMs` this executor's busy time so far.
   */
  poll(now: number, busyMs: number): number {
    const elapsed = now - this.windowAt;
    if (elapsed < COMPACT_WINDOW_MS) return -1;
    const b = this.board;
    const group = b.get(this.self, SLOT.group);
    const own = Number.isFinite(this.windowAt) ? (busyMs - this.ownBusy) / elapsed : 1;
    let target = -1;
    let most = 0;
    for (const n of b.executors()) {
      if (n === this.self || b.get(n, SLOT.group) !== group) continue;
      const busy = b.get(n, SLOT.busyMs);
      const out = this.sent(this.self, n);
      const inn = this.sent(n, this.self);
      const was = this.peers.get(n);
      if (was === undefined) {
        this.peers.set(n, { busy, out, in: inn, lopsided: 0 });
        continue;
      }
      const there = out - was.out;
      const back = inn - was.in;
      const rate = (there + back) / elapsed;
      // Waiting on each other means answers: a one-way stream (a feeder and its workers) is left to stealing.
      const chatty = rate >= COMPACT_MIN_RATE && Math.min(there, back) >= COMPACT_MIN_SHARE * (there + back);
      const peer = (busy - was.busy) / elapsed;
      const both = own <= COMPACT_MAX_UTILIZATION && peer <= COMPACT_MAX_UTILIZATION && n < this.self;
      const lop = chatty && own <= COMPACT_IDLE_UTILIZATION && peer > COMPACT_MAX_UTILIZATION;
      const lopsided = lop && was.lopsided + 1 >= LOPSIDED_WINDOWS;
      this.peers.set(n, { busy, out, in: inn, lopsided: lop ? was.lopsided + 1 : 0 });
      if (chatty && (both || lopsided) && rate > most) {
        target = n;
        most = rate;
        this.rule = both ? 'idle-pair' : 'lopsided';
      }
    }
    this.windowAt = now;
    this.ownBusy = busyMs;
    return target;
  }
}
