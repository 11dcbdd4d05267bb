/**
 * Measurement protocol for one workload:
 *
 * 1. Warm-up: every contender runs at least `warmup` times and at least
 *    `warmupMs` in total (JIT tiers, caches, pools), untimed: a 5 ms workload
 *    needs a dozen runs before V8's optimised code settles.
 * 2. Each contender gets a run count from its warm-up time: enough runs to
 *    fill `budgetMs`, clamped to [minRuns, maxRuns] — slow peers run fewer
 *    times instead of stretching the suite to hours; a peer whose single run
 *    takes over `slowMs` runs `slowRuns` times (xstate's Big takes ~25 s a run).
 * 3. Timed runs go in rounds, every contender once per round (while it still
 *    has runs left), in an order rotated each round: machine drift (thermal,
 *    a neighbour's load) hits every system alike instead of whoever ran last.
 * 4. A minor GC (when --expose-gc is on) precedes each run, outside the timed
 *    region, so one system's young garbage is not collected on another's
 *    clock. A full GC runs only before the warm-up: measured on this suite,
 *    a full `gc()` right before a run made the next runs of a 5 ms workload
 *    3-4× slower (V8 drops compiled code and feedback it considers cold),
 *    which would measure the GC, not the system.
 * 5. Ratios are taken pair by pair: per round, peer ms / troupe ms, then the
 *    median of those — not a ratio of medians taken at different times.
 */
import type { Contender } from './types.ts';

export interface Plan {
  readonly warmup: number;
  readonly warmupMs: number;
  readonly minRuns: number;
  readonly maxRuns: number;
  readonly budgetMs: number;
  readonly slowMs: number;
  readonly slowRuns: number;
  /** A run that has not finished after this long fails the workload (a hang must not stall CI). */
  readonly timeoutMs: number;
}

export const FULL_PLAN: Plan = {
  warmup: 2,
  warmupMs: 400,
  minRuns: 3,
  maxRuns: 10,
  budgetMs: 2500,
  slowMs: 8000,
  slowRuns: 2,
  timeoutMs: 240_000,
};
export const QUICK_PLAN: Plan = {
  warmup: 0,
  warmupMs: 0,
  minRuns: 1,
  maxRuns: 1,
  budgetMs: 0,
  slowMs: Number.POSITIVE_INFINITY,
  slowRuns: 1,
  timeoutMs: 20_000,
};

export interface Measured {
  readonly contender: Contender;
  /** Timed run durations by round (undefined where the contender sat the round out). */
  readonly byRound: Array<number | undefined>;
}

const gc = (globalThis as { gc?: (o?: { type: 'minor' | 'major' }) => void }).gc;

async function once(c: Contender, timeoutMs: number): Promise<number> {
  gc?.({ type: 'minor' });
  let timer: NodeJS.Timeout | undefined;
  const ms = await Promise.race([
    c.run(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${c.system} ${c.mode}: no answer within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  if (!(ms > 0 && Number.isFinite(ms))) throw new Error(`${c.system}/${c.mode}: bad duration ${ms}`);
  return ms;
}

export async function measure(
  contenders: readonly Contender[],
  plan: Plan,
  progress: (done: number, total: number) => void,
): Promise<Measured[]> {
  const warm = new Array<number>(contenders.length).fill(0);
  gc?.();
  for (let i = 0; i < contenders.length; i++) {
    let spent = 0;
    // A slow peer warms once (its first run already fills the budget); a fast one until warmupMs.
    for (let w = 0; w < 40 && (w < plan.warmup || spent < plan.warmupMs) && spent < plan.budgetMs; w++)
      spent += warm[i] = await once(contenders[i]!, plan.timeoutMs);
  }
  const runs = contenders.map((_, i) =>
    plan.warmup === 0
      ? plan.minRuns
      : warm[i]! > plan.slowMs
        ? plan.slowRuns
        : Math.max(plan.minRuns, Math.min(plan.maxRuns, Math.floor(plan.budgetMs / warm[i]!))),
  );
  const rounds = Math.max(...runs);
  const total = runs.reduce((a, b) => a + b, 0);
  const out: Measured[] = contenders.map((contender) => ({ contender, byRound: [] }));
  let done = 0;
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + r) % contenders.length;
      if (r >= runs[i]!) continue;
      out[i]!.byRound[r] = await once(contenders[i]!, plan.timeoutMs);
      progress(++done, total);
    }
  }
  return out;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function times(m: Measured): number[] {
  return m.byRound.filter((x): x is number => x !== undefined);
}

/** Median over rounds where both ran of `other ms / base ms` (how many times faster base is). */
export function pairedRatio(base: Measured, other: Measured): { ratio: number; pairs: number } {
  const rs: number[] = [];
  for (let r = 0; r < base.byRound.length; r++) {
    const b = base.byRound[r];
    const o = other.byRound[r];
    if (b !== undefined && o !== undefined) rs.push(o / b);
  }
  if (rs.length === 0) return { ratio: median(times(other)) / median(times(base)), pairs: 0 };
  return { ratio: median(rs), pairs: rs.length };
}
