/**
 * Where the runtime's own warnings go: dead letters (dead-letters.ts) and
 * observers of `events$` / `deadLetters$` that threw. One injectable sink,
 * `console` by default (`options.logger`); pino, winston and console all
 * have `warn(message)`. Lines are written on the main thread: executors send
 * theirs there (executors/runtime.ts), so one logger sees the whole system.
 */
import { ConfigError } from '../errors.ts';

export interface Logger {
  warn(message: string): void;
}

export function resolveLogger(v: unknown, path = 'options.logger'): Logger {
  if (v === undefined) return console;
  if (
    v === null ||
    (typeof v !== 'object' && typeof v !== 'function') ||
    typeof (v as { warn?: unknown }).warn !== 'function'
  )
    throw new ConfigError(path, 'a logger with a warn(message) method (e.g. console)', v);
  return v as Logger;
}

/** Writes one line; a logger that throws must not take the runtime with it, so stderr gets both. */
export function warn(logger: Logger, line: string): void {
  try {
    logger.warn(line);
  } catch (e) {
    process.stderr.write(`${line}\ntroupe: the logger threw: ${String(e)}\n`);
  }
}
