/**
 * Message-level retries, run before a failure reaches supervision.
 *
 * Protocol (the cell does the mechanics, this module decides):
 * 1. A handler fails on message m (attempt k, 0 for its first processing).
 * 2. If k < attempts and `retryOn(error)` holds, m is put back at the FRONT
 *    of the mailbox (PairQueue.unshift) and the cell holds all user messages
 *    until the delay for attempt k has passed on the clock. m keeps its place:
 *    nothing queued behind it (from its sender or anyone) is processed first.
 * 3. The held message is then processed first, outside the hot loop, with
 *    attempt k + 1; success clears the retry state.
 * 4. Otherwise the message is dead-lettered `failed` and the failure goes to
 *    the supervisor as usual.
 *
 * Why the retried message stays in the mailbox during the delay: if the actor
 * stops or migrates meanwhile, the message is dead-lettered or carried like
 * any other, so it can never be lost.
 */

import {
  type Backoff,
  type BackoffOptions,
  backoffDelay,
  backoffToJSON,
  resolveBackoff,
} from '../../kernel/backoff.ts';
import { ConfigError } from '../../kernel/errors.ts';
import { defineOption } from '../../kernel/feature-options.ts';
import { checkKeys, MAX_TIMER_MS } from '../../kernel/validate.ts';

export interface RetryOptions {
  /** How many times a failed message is retried (after its first failure). */
  readonly attempts: number;
  /** Delay before each retry: fixed ms, or exponential backoff. Default 0. */
  readonly backoff?: number | BackoffOptions;
  /** Retry only errors this accepts (default: every error). */
  readonly retryOn?: (error: unknown) => boolean;
}

export class RetryPolicy {
  constructor(
    readonly attempts: number,
    private readonly fixedMs: number,
    private readonly backoff: Backoff | null,
    private readonly retryOn: ((error: unknown) => boolean) | null,
  ) {}

  /**
   * The policy as options that cross a thread (a migrating actor takes it along, snapshot.ts), or
   * undefined when a function is part of it (`retryOn`, a `random` of its own).
   */
  toData(): RetryOptions | undefined {
    if (this.retryOn !== null) return undefined;
    const b = this.backoff;
    if (b === null) return { attempts: this.attempts, backoff: this.fixedMs };
    return b.random === Math.random ? { attempts: this.attempts, backoff: backoffToJSON(b) } : undefined;
  }

  /**
   * The delay before retrying a message that just failed on `attempt`
   * (0 = first processing), or -1 when it is not retried.
   */
  next(error: unknown, attempt: number): number {
    if (attempt >= this.attempts) return -1;
    if (this.retryOn !== null) {
      let ok: boolean;
      try {
        ok = this.retryOn(error) === true;
      } catch {
        ok = false; // a broken predicate must not take the actor down with it
      }
      if (!ok) return -1;
    }
    return this.backoff === null ? this.fixedMs : backoffDelay(this.backoff, attempt);
  }
}

export function resolveRetry(v: unknown, path: string): RetryPolicy | undefined {
  if (v === undefined) return undefined;
  if (v instanceof RetryPolicy) return v;
  if (v === null || typeof v !== 'object') throw new ConfigError(path, '{ attempts, backoff?, retryOn? }', v);
  const o = v as RetryOptions;
  checkKeys(o, ['attempts', 'backoff', 'retryOn'], path);
  if (!(Number.isInteger(o.attempts) && o.attempts >= 0))
    throw new ConfigError(`${path}.attempts`, 'an integer ≥ 0', o.attempts);
  let fixedMs = 0;
  let backoff: Backoff | null = null;
  if (typeof o.backoff === 'number') {
    if (!(o.backoff >= 0 && o.backoff <= MAX_TIMER_MS))
      throw new ConfigError(
        `${path}.backoff`,
        `a number in [0, ${MAX_TIMER_MS}] or { minMs, maxMs, ... }`,
        o.backoff,
      );
    fixedMs = o.backoff;
  } else if (o.backoff !== undefined) backoff = resolveBackoff(o.backoff, `${path}.backoff`);
  if (o.retryOn !== undefined && typeof o.retryOn !== 'function')
    throw new ConfigError(`${path}.retryOn`, 'a function (error) => boolean', o.retryOn);
  return new RetryPolicy(o.attempts, fixedMs, backoff, o.retryOn ?? null);
}

declare module '../../kernel/definition.ts' {
  interface DefinitionOptions {
    /** Message retries before supervision sees a failure (see features/retry/retry.ts). */
    readonly retry?: RetryOptions | RetryPolicy;
  }
}

declare module '../../kernel/spawn-options.ts' {
  interface SpawnOptions {
    /** Message retries before supervision sees a failure (overrides the definition's). */
    readonly retry?: RetryOptions;
  }
}

defineOption('retry', { definition: true, spawn: true }, resolveRetry);
