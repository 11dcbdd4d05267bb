import type { DeadLetterReason } from './events.ts';

export interface SystemStats {
  /** User messages that entered a mailbox or were refused at its door. */
  readonly sent: number;
  /** Messages whose handler completed. */
  readonly processed: number;
  /** Messages delivered to dead letters, by reason. */
  readonly deadLettered: { readonly total: number; readonly byReason: Readonly<Record<string, number>> };
  /** Messages still queued or being handled (`sent - processed - deadLettered`). */
  readonly inFlight: number;
  readonly actors: number;
}

/** Plain counters: the hot path increments fields, `snapshot()` builds the report. */
export class Stats {
  sent = 0;
  processed = 0;
  dead = 0;
  /**
   * Pending messages that left with a migrating actor (dehydrate) minus those that arrived with
   * one (rehydrate). `sent` moves with them, so each host's `sent = processed + dead + queued`
   * holds on its own; `sent + moved` never moves, so a sum over hosts whose counters were read
   * at different instants counts a migrating mailbox once (executors/row-stats.ts).
   */
  moved = 0;
  readonly byReason = new Map<DeadLetterReason, number>();

  deadLettered(reason: DeadLetterReason): void {
    this.dead++;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
  }

  snapshot(actors: number): SystemStats {
    return {
      sent: this.sent,
      processed: this.processed,
      deadLettered: { total: this.dead, byReason: Object.fromEntries(this.byReason) },
      inFlight: this.sent - this.processed - this.dead,
      actors,
    };
  }
}
