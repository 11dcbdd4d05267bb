/**
 * Histogram buckets, in seconds. A Troupe handler takes nanoseconds to
 * microseconds and a message waits microseconds to seconds, so the usual
 * defaults (5 ms … 10 s) would put every observation in the first bucket:
 * these go from 1 µs to about 4 s, ×4 per bucket (12 buckets, +Inf apart).
 */
export const DURATION_BUCKETS: readonly number[] = Object.freeze(
  Array.from({ length: 12 }, (_, i) => Number((1e-6 * 4 ** i).toPrecision(6))),
);

/** A fixed-bucket histogram: per-bucket counts (not cumulative), the last one +Inf. */
export class BucketCounts {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[] = DURATION_BUCKETS) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }

  /** Cumulative counts per upper bound, `+Inf` last: Prometheus's `_bucket` series. */
  cumulative(): Array<{ le: number; count: number }> {
    let acc = 0;
    const out = this.bounds.map((le, i) => ({ le, count: (acc += this.counts[i]!) }));
    out.push({ le: Number.POSITIVE_INFINITY, count: this.count });
    return out;
  }
}
