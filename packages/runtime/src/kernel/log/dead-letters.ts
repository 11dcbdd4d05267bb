/**
 * Dead letters are visible by default: each host logs them, rate-limited,
 * one line each (Akka's log-dead-letters):
 *
 *   troupe: message [inc] from client#2049 to counter#1025 "c1" was not delivered (stopped).
 *   [3] dead letters encountered.
 *
 * 1. Every dead letter is counted (`total`, system-wide); the first `max` of
 *    each window of `perMs` are logged. The `max`-th line says that no more
 *    will be logged until the window ends.
 * 2. The first line of a later window says how many the windows before it
 *    did not log, so the count of the quiet time is not lost.
 * 3. One limit for the whole system: in one thread a counter here; with
 *    executors one window in shared memory (the board, `admit`), so N
 *    executors log `max` lines per window between them, not N × max, and an
 *    executor sends a line to the main thread only when it is to be written.
 * 4. Dead letters of a shutdown (reason `shutdown`) are not logged: the
 *    shutdown report lists them (Akka: log-dead-letters-during-shutdown off).
 *
 * Cost: one hook check per dead letter when off; when on, a counter (an
 * atomic add with executors) per dead letter, and a formatted line for the
 * few that are logged. Nothing on the delivery path of live messages.
 */
import type { Admission, Board } from '@troupe/scheduler';
import type { Clock } from '../clock.ts';
import { ConfigError } from '../errors.ts';
import type { ActorDescription, DeadLetterReason } from '../events.ts';
import { messageType } from '../events.ts';

export interface DeadLetterOptions {
  /**
   * Log dead letters: at most `max` lines (default 10) per `perMs` (default
   * 300 000, five minutes), then one summary; `false` turns logging off.
   * Default on.
   */
  readonly log?: boolean | { readonly max?: number; readonly perMs?: number };
}

export interface DeadLetterLogOptions {
  readonly max: number;
  readonly perMs: number;
}

export const DEAD_LETTER_LOG_DEFAULTS: DeadLetterLogOptions = { max: 10, perMs: 300_000 };

/** `options.deadLetters`: the log's limits, or null when logging is off. */
export function resolveDeadLetterOptions(
  v: unknown,
  path = 'options.deadLetters',
): DeadLetterLogOptions | null {
  if (v === undefined) return DEAD_LETTER_LOG_DEFAULTS;
  if (v === null || typeof v !== 'object') throw new ConfigError(path, 'an object { log }', v);
  for (const k of Object.keys(v))
    if (k !== 'log') throw new ConfigError(`${path}.${k}`, 'log', 'an unknown option');
  const log = (v as DeadLetterOptions).log;
  if (log === undefined || log === true) return DEAD_LETTER_LOG_DEFAULTS;
  if (log === false) return null;
  if (log === null || typeof log !== 'object')
    throw new ConfigError(`${path}.log`, 'false, true or { max, perMs }', log);
  for (const k of Object.keys(log))
    if (k !== 'max' && k !== 'perMs')
      throw new ConfigError(`${path}.log.${k}`, 'one of max, perMs', 'an unknown option');
  const max = log.max ?? DEAD_LETTER_LOG_DEFAULTS.max;
  if (!(Number.isInteger(max) && max > 0))
    throw new ConfigError(`${path}.log.max`, 'a positive integer (use log: false to turn logging off)', max);
  const perMs = log.perMs ?? DEAD_LETTER_LOG_DEFAULTS.perMs;
  if (!(typeof perMs === 'number' && perMs > 0 && perMs <= 2 ** 31 - 1))
    throw new ConfigError(`${path}.log.perMs`, 'a number of ms in (0, 2147483647]', perMs);
  return { max, perMs };
}

/** Decides which dead letters are logged (step 3): here, or shared by every thread. */
export interface DeadLetterGate {
  admit(): Admission | null;
}

/** One thread's window, on the system's clock (a simulated one in tests). */
export class LocalGate implements DeadLetterGate {
  private total = 0;
  private start = Number.NEGATIVE_INFINITY;
  private count = 0;
  private missed = 0;

  constructor(
    private readonly o: DeadLetterLogOptions,
    private readonly clock: Clock,
  ) {}

  admit(): Admission | null {
    const total = ++this.total;
    const now = this.clock.now();
    let missed = 0;
    if (now - this.start >= this.o.perMs) {
      this.start = now;
      this.count = 0;
      missed = this.missed;
      this.missed = 0;
    }
    if (this.count >= this.o.max) {
      this.missed++;
      return null;
    }
    return { total, rank: ++this.count, missed };
  }
}

/** Step 3 with executors: the window every thread shares (board `admit`), on wall time. */
export function sharedGate(board: Pick<Board, 'admit'>, o: DeadLetterLogOptions): DeadLetterGate {
  return { admit: () => board.admit(Date.now(), o.max, o.perMs) };
}

/** What host.deadLetter hands the hook. */
export type DeadLetterHook = (
  msg: unknown,
  reason: DeadLetterReason,
  to: ActorDescription | undefined,
  from: ActorDescription | undefined,
) => void;

/** The hook a host calls for each dead letter: counts it and writes the lines the gate admits. */
export function deadLetterLog(
  o: DeadLetterLogOptions,
  gate: DeadLetterGate,
  write: (line: string) => void,
): DeadLetterHook {
  return (msg, reason, to, from) => {
    if (reason === 'shutdown') return; // step 4
    const a = gate.admit();
    if (a !== null) write(formatDeadLetter(a, o, typeOf(msg), reason, to, from));
  };
}

/** A dead letter may be hostile (a `type` getter that throws): logging it must not make `tell` throw. */
function typeOf(msg: unknown): string {
  try {
    return messageType(msg);
  } catch {
    return 'unreadable';
  }
}

const actor = (d: ActorDescription): string =>
  `${d.def}#${d.id}${d.name === undefined ? '' : ` "${d.name}"`}`;

const span = (ms: number): string =>
  ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;

export function formatDeadLetter(
  a: Admission,
  o: DeadLetterLogOptions,
  type: string,
  reason: string,
  to: ActorDescription | undefined,
  from: ActorDescription | undefined,
): string {
  let line = `troupe: message [${type}]${from === undefined ? '' : ` from ${actor(from)}`} to ${
    to === undefined ? 'no actor' : actor(to)
  } was not delivered (${reason}). [${a.total}] dead letter${a.total === 1 ? '' : 's'} encountered`;
  if (a.missed > 0) line += `, ${a.missed} of them not logged while the log was paused`;
  line += '.';
  if (a.rank === o.max) line += ` No more dead letters will be logged for ${span(o.perMs)}.`;
  if (a.total === 1 || a.rank === o.max)
    line +=
      ' Turn this log off or tune it with createSystem({ deadLetters: { log: false | { max, perMs } } }).';
  return line;
}
