/**
 * Restart intensity as a sliding window, exactly OTP's `add_restart/3`: a
 * restart at time `now` is recorded, restarts older than `now - withinMs` are
 * forgotten, and the supervisor may go on while at most `maxRestarts` remain.
 *
 * Invariant (the boundary tests pin it): with `maxRestarts = n`, n restarts
 * inside the window pass and the (n+1)-th escalates; a restart exactly
 * `withinMs` old still counts (OTP keeps `T >= Now - Period`).
 */
import { ConfigError } from '../../kernel/errors.ts';
import { checkKeys, checkRange, MAX_TIMER_MS } from '../../kernel/validate.ts';

export interface IntensityOptions {
  /** Restarts allowed inside the window. OTP default 1. */
  readonly maxRestarts: number;
  /** Window length, ms. OTP default 5000. */
  readonly withinMs: number;
}

export const DEFAULT_INTENSITY: IntensityOptions = Object.freeze({ maxRestarts: 1, withinMs: 5000 });

export function resolveIntensity(v: unknown, path: string): IntensityOptions {
  if (v === undefined) return DEFAULT_INTENSITY;
  if (v === null || typeof v !== 'object') throw new ConfigError(path, '{ maxRestarts, withinMs }', v);
  const o = v as Partial<IntensityOptions>;
  checkKeys(o, ['maxRestarts', 'withinMs'], path);
  const maxRestarts = o.maxRestarts ?? DEFAULT_INTENSITY.maxRestarts;
  if (!(Number.isInteger(maxRestarts) && maxRestarts >= 0))
    throw new ConfigError(`${path}.maxRestarts`, 'an integer ≥ 0', maxRestarts);
  const withinMs = checkRange(o.withinMs ?? DEFAULT_INTENSITY.withinMs, `${path}.withinMs`, {
    min: 0,
    max: MAX_TIMER_MS,
    minExclusive: true,
  });
  return Object.freeze({ maxRestarts, withinMs });
}

export class IntensityWindow {
  private times: number[] = [];

  constructor(readonly limits: IntensityOptions) {}

  /** Records a restart at `now`; false when it exceeds the intensity. */
  add(now: number): boolean {
    const threshold = now - this.limits.withinMs;
    let k = 0;
    while (k < this.times.length && (this.times[k] as number) < threshold) k++;
    if (k > 0) this.times = this.times.slice(k);
    this.times.push(now);
    return this.times.length <= this.limits.maxRestarts;
  }

  /** Restarts currently inside the window. */
  get count(): number {
    return this.times.length;
  }

  /** The restarts' times (a moving supervisor carries them: supervision/moving.ts). */
  get restartTimes(): readonly number[] {
    return this.times;
  }

  restore(times: readonly number[]): void {
    this.times = [...times];
  }
}
