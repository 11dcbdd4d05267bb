/**
 * Rate limit of task starts: a token bucket on the injected clock. It holds
 * up to `burst` tokens and gains `perSecond` a second; each start takes one.
 * On a SimulatedClock the limit is exact, so tests need no sleeping.
 */
import type { Clock } from '../../kernel/clock.ts';

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.at = clock.now();
  }

  /** Takes a token if one is there. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Ms until the next token (0 when one is there). */
  wait(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.perSecond;
  }

  private refill(): void {
    const now = this.clock.now();
    if (now <= this.at) return;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
  }
}
