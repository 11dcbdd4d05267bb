/**
 * The overview charts: one point per second for the last HISTORY seconds.
 * What a second counts accumulates in `current` and is closed into a point by
 * `close` — with the live system's counters when there is one, else with what
 * the events of that second said (a recording).
 */
import { LogHistogram } from '../histogram.ts';
import type { Point } from '../protocol.ts';
import { Ring } from '../ring.ts';

export const HISTORY = 300;

export class Second {
  processed = 0;
  deadLetters = 0;
  restarts = 0;
  failures = 0;
  readonly handler = new LogHistogram();
  readonly queued = new LogHistogram();

  reset(): void {
    this.processed = 0;
    this.deadLetters = 0;
    this.restarts = 0;
    this.failures = 0;
    this.handler.reset();
    this.queued.reset();
  }
}

/** What the live counters say about a second (replay passes none: the events' own counts are used). */
export interface Counted {
  readonly messagesPerSec: number;
  readonly deadLettersPerSec: number;
  /** Little's law: messages in flight / throughput, ms (null when nothing flows). */
  readonly sojournMs: number | null;
}

export class Series {
  readonly points = new Ring<Point>(HISTORY);
  readonly current = new Second();

  /** Closes the second `t` (epoch seconds) into a point. */
  close(t: number, counted: Counted | null): Point {
    const c = this.current;
    const mean = c.handler.mean();
    const measuredQueue = c.queued.count > 0 ? c.queued.mean() : null;
    const little =
      counted?.sojournMs !== null && counted?.sojournMs !== undefined
        ? Math.max(0, counted.sojournMs - (mean ?? 0))
        : null;
    const p: Point = {
      t,
      messages: counted !== null ? counted.messagesPerSec : c.processed,
      deadLetters: counted !== null ? counted.deadLettersPerSec : c.deadLetters,
      restarts: c.restarts,
      failures: c.failures,
      p50: c.handler.quantile(0.5),
      p99: c.handler.quantile(0.99),
      mailboxMs: measuredQueue ?? little,
    };
    this.points.push(p);
    c.reset();
    return p;
  }
}
