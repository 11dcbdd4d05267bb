/**
 * `shutdown(options)` and its validation: a bad field is a ConfigError naming
 * it, before any phase has started.
 */
import { ConfigError } from '../../kernel/errors.ts';
import { checkKeys, MAX_TIMER_MS } from '../../kernel/validate.ts';

export interface ShutdownOptions {
  /** Bound for phases 1–4 (intake to force-stop), ms; at this deadline whatever is alive is killed. Default 5000. */
  readonly timeoutMs?: number;
  /** Process queued messages before stopping (true, default) or dead-letter them at once (false). */
  readonly drain?: boolean;
  /** Longest the drain may take, ms. Default: half of `timeoutMs`, leaving the rest for stopping. */
  readonly drainTimeoutMs?: number;
  /** Why (recorded in events and the report). Default 'shutdown'. */
  readonly reason?: string;
  /**
   * Skip what is graceful: no drain, kill every actor now. On a shutdown
   * already running, cuts it short and returns its promise (a second SIGTERM).
   */
  readonly force?: boolean;
}

export interface ResolvedShutdown {
  readonly timeoutMs: number;
  readonly drain: boolean;
  readonly drainTimeoutMs: number;
  readonly reason: string;
  readonly force: boolean;
}

const KNOWN = ['timeoutMs', 'drain', 'drainTimeoutMs', 'reason', 'force'];
const isTimeout = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= MAX_TIMER_MS;

export function resolveShutdownOptions(o: ShutdownOptions = {}): ResolvedShutdown {
  const path = 'shutdown(options)';
  if (o === null || typeof o !== 'object') throw new ConfigError(path, 'an object', o);
  checkKeys(o, KNOWN, path);
  const timeoutMs = o.timeoutMs ?? 5000;
  if (!isTimeout(timeoutMs))
    throw new ConfigError(`${path}.timeoutMs`, 'a number in [0, 2147483647]', timeoutMs);
  const drain = o.drain ?? true;
  if (typeof drain !== 'boolean') throw new ConfigError(`${path}.drain`, 'a boolean', drain);
  const drainTimeoutMs = o.drainTimeoutMs ?? timeoutMs / 2;
  if (!isTimeout(drainTimeoutMs) || drainTimeoutMs > timeoutMs)
    throw new ConfigError(
      `${path}.drainTimeoutMs`,
      `a number in [0, timeoutMs (${timeoutMs})]`,
      drainTimeoutMs,
    );
  const reason = o.reason ?? 'shutdown';
  if (typeof reason !== 'string' || reason.length === 0)
    throw new ConfigError(`${path}.reason`, 'a non-empty string', reason);
  const force = o.force ?? false;
  if (typeof force !== 'boolean') throw new ConfigError(`${path}.force`, 'a boolean', force);
  return { timeoutMs, drain, drainTimeoutMs, reason, force };
}
