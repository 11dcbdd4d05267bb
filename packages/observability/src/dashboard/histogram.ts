/**
 * Durations in a log-linear histogram: 8 buckets per power of two from 1/16 µs
 * to about 2 minutes (a bucket is ~9% wide), so a quantile costs a scan of
 * 256 counters and recording one value costs a log2 — and the memory is the
 * same whatever the rate. Handler times span nanoseconds to seconds, so
 * linear buckets would be useless at one end or the other.
 */
const PER_OCTAVE = 8;
const MIN_US = 1 / 16;
export const BUCKETS = 256;

function bucketOf(ms: number): number {
  const us = ms * 1000;
  if (!(us > MIN_US)) return 0; // NaN, negative and tiny values share the first bucket
  const i = Math.floor(Math.log2(us / MIN_US) * PER_OCTAVE);
  return i >= BUCKETS ? BUCKETS - 1 : i;
}

/** The middle of bucket `i`, ms. */
function bucketValue(i: number): number {
  return (MIN_US * 2 ** ((i + 0.5) / PER_OCTAVE)) / 1000;
}

export class LogHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  record(ms: number, weight = 1): void {
    this.counts[bucketOf(ms)]! += weight;
    this.count += weight;
    if (Number.isFinite(ms)) {
      this.sum += ms * weight;
      if (ms > this.max) this.max = ms;
    }
  }

  /** The value below which a fraction `q` of the recorded ones fall (null when empty), ms. */
  quantile(q: number): number | null {
    if (this.count <= 0) return null;
    const target = q * this.count;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= target && seen > 0) return Math.min(bucketValue(i), this.max);
    }
    return this.max;
  }

  mean(): number | null {
    return this.count > 0 ? this.sum / this.count : null;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }
}
