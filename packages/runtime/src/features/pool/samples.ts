/**
 * Percentiles of a pool's wait and run times over its most recent samples: a
 * ring of the last 4096 values (Float64Array, no allocation per sample),
 * sorted only when `stats()` asks.
 */
const SIZE = 4096;

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** How many samples these are over (at most 4096, the most recent). */
  readonly samples: number;
}

export class Samples {
  private readonly ring = new Float64Array(SIZE);
  private n = 0;

  add(ms: number): void {
    this.ring[this.n++ & (SIZE - 1)] = ms;
  }

  percentiles(): Percentiles {
    const count = Math.min(this.n, SIZE);
    if (count === 0) return { p50: 0, p90: 0, p99: 0, max: 0, samples: 0 };
    const s = this.ring.slice(0, count).sort();
    const at = (q: number) => s[Math.min(count - 1, Math.ceil(q * count) - 1)]!;
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[count - 1]!, samples: count };
  }
}
