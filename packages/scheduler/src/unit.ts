/**
 * The unit of work the scheduler runs: what the run queue and the executor
 * loop need of it, and nothing about what it means. The runtime's actor cell
 * is one (a turn is up to `throughput` messages; its pending work is its
 * mailbox; its kind is its definition); the scheduler's tests use a counter.
 */

/** What the run queue needs (run-queue.ts). */
export interface Runnable {
  /**
   * In the run queue. `schedule` sets it, the drain clears it before the
   * unit's turn, `unqueue` clears it to take the unit off in O(1). A unit
   * scheduling itself again checks it first, so it is queued once.
   */
  queued: boolean;
  /** One turn: a bounded share of the unit's pending work. Never throws (the drain survives it if it does). */
  run(): void;
}

/** What the executor loop needs besides (executor-loop.ts): stealing, compaction, the watchdog. */
export interface Unit extends Runnable {
  /** Stable identity: the watchdog's running record names it. */
  readonly id: number;
  /** Work items waiting (an actor: its messages); a steal weighs a unit by them at its kind's cost. */
  readonly pending: number;
  /** Units of one kind share a cost per work item (an actor's definition), learnt from timed turns. */
  readonly kind: UnitKind;
}

export interface UnitKind {
  /** In the watchdog's running record. */
  readonly name: string;
}
