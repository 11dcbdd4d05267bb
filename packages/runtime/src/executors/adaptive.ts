/**
 * Adaptive pool on the main thread: samples the board every `SAMPLE_MS` and
 * acts on the scheduler's PoolPolicy (adaptive.ts in @troupe/scheduler) —
 * starts an executor on sustained backlog, retires one idle past
 * `idleTimeoutMs`.
 *
 * Retirement protocol:
 * 1. The board marks the executor as leaving (no new placements, no steals
 *    from it) and it is asked to vacate: it stops stealing and migrates its
 *    actors to the other executors.
 * 2. It answers whether it is empty: no actor left, no open migration
 *    handshake and no live actor born there (it is their directory).
 * 3. Empty: the pool terminates it; its counters stay in `stats()`.
 *    Not empty (pinned or unportable actors, or actors born there still
 *    alive elsewhere): it returns to service and is asked again after
 *    another idle timeout.
 */
import type { PoolPolicy } from '@troupe/scheduler';

export const SAMPLE_MS = 20;

export interface AdaptiveHost {
  grow(): Promise<number>;
  retire(node: number): Promise<boolean>;
}

export class AdaptiveRunner {
  private readonly timer: ReturnType<typeof setInterval>;
  private busy = false;

  constructor(
    private readonly policy: PoolPolicy,
    private readonly host: AdaptiveHost,
  ) {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  private sample(): void {
    if (this.busy) return;
    const d = this.policy.sample(performance.now());
    if (d === null) return;
    this.busy = true;
    const done = () => {
      this.busy = false;
    };
    if ('grow' in d) void this.host.grow().then(done, done);
    else void this.host.retire(d.retire).then(done, done);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
