/**
 * System options, validated eagerly: a bad option is a ConfigError naming the
 * field and what was expected, before any thread or actor exists.
 */
import { actorsModuleHref } from '../executors/actors-module.ts';
import {
  type ResolvedScheduler,
  resolveSchedulerOptions,
  SCHEDULER_KEYS,
  type SchedulerOptions,
} from '../executors/options.ts';
import {
  type DeadlockOptions,
  type ResolvedDeadlockOptions,
  resolveDeadlockOptions,
} from '../features/deadlock/options.ts';
import { resolveSignals, type ShutdownSignal } from '../features/shutdown/signals.ts';
import { type Clock, systemClock } from '../kernel/clock.ts';
import { ConfigError } from '../kernel/errors.ts';
import type { EventOptions } from '../kernel/events.ts';
import {
  type DeadLetterLogOptions,
  type DeadLetterOptions,
  resolveDeadLetterOptions,
} from '../kernel/log/dead-letters.ts';
import { type Logger, resolveLogger } from '../kernel/log/logger.ts';
import { type MailboxOptions, type ResolvedMailbox, resolveMailbox } from '../kernel/mailbox.ts';
import { ASK_TIMEOUT_MS } from '../kernel/ref.ts';
import { checkKeys, checkRange, type Range } from '../kernel/validate.ts';
import { PLUGIN_KEYS, type PluginOptions, type ResolvedPlugins, resolvePlugins } from './plugin-options.ts';

export interface SystemOptions extends SchedulerOptions, PluginOptions {
  /**
   * The module that defines the actors (every exported definition is known
   * by name), like a Piscina `filename`. A URL or path string is imported;
   * an object is taken as the module's exports.
   */
  readonly actors?: URL | string | Readonly<Record<string, unknown>>;
  /** Executor threads; 0 runs every actor on the calling thread. Default 0. */
  readonly executors?: number | 'auto';
  /** Messages an actor handles per turn before yielding (fairness). Default 64. */
  readonly throughput?: number;
  /** Longest a dispatcher runs before yielding to timers and I/O, ms. Default 5. */
  readonly yieldMs?: number;
  /** Default ask timeout, ms. Default 5000. */
  readonly askTimeoutMs?: number;
  /** Default mailbox for every actor (unbounded unless set). */
  readonly mailbox?: MailboxOptions;
  /** Time source for timeouts, timers, backoff. Default: the wall clock. */
  readonly clock?: Clock;
  /** Per-message event production and sampling. */
  readonly events?: EventOptions;
  /** Deadlock strategy, stall and slow-handler thresholds, reentrancy. Default: timeout-only, off. */
  readonly deadlock?: DeadlockOptions;
  /**
   * Shut down gracefully on SIGTERM/SIGINT (`true`) or on the listed signals;
   * a second signal forces it, the exit code reflects the outcome. Default false.
   */
  readonly handleSignals?: boolean | readonly ShutdownSignal[];
  /** Dead letters are logged (rate-limited) unless `{ log: false }` (log/dead-letters.ts). */
  readonly deadLetters?: DeadLetterOptions;
  /** Where the runtime's warnings go (dead letters, observers that threw). Default: console. */
  readonly logger?: Logger;
}

export interface ResolvedOptions extends ResolvedPlugins {
  readonly actors: SystemOptions['actors'];
  readonly executors: number | 'auto';
  readonly throughput: number;
  readonly yieldMs: number;
  readonly askTimeoutMs: number;
  readonly mailbox: ResolvedMailbox;
  readonly clock: Clock;
  readonly events: EventOptions;
  /** Executors: topology, stealing, adaptive pool (executors/options.ts). */
  readonly scheduler: ResolvedScheduler;
  readonly deadlock: ResolvedDeadlockOptions;
  /** Signals that start a shutdown; empty when signals are not handled. */
  readonly handleSignals: readonly ShutdownSignal[];
  /** Limits of the dead-letter log; null when it is off. */
  readonly deadLetterLog: DeadLetterLogOptions | null;
  readonly logger: Logger;
}

const KNOWN = [
  'actors',
  'executors',
  'throughput',
  'yieldMs',
  'askTimeoutMs',
  'mailbox',
  'clock',
  'events',
  'deadlock',
  'handleSignals',
  'deadLetters',
  'logger',
  ...PLUGIN_KEYS,
  ...SCHEDULER_KEYS,
];
const EVENT_KEYS = ['perMessage', 'sampleRate'];

/** Longest a dispatcher may run before yielding, ms: past a minute, timers and I/O starve. */
export const YIELD_MS: Range = { min: 0, max: 60_000, minExclusive: true };

export function resolveOptions(o: SystemOptions = {}): ResolvedOptions {
  if (o === null || typeof o !== 'object') throw new ConfigError('options', 'an object', o);
  checkKeys(o, KNOWN, 'options');
  for (const k of Object.keys(o)) {
    // `??` below would read null as "use the default"; a null option is a mistake worth naming.
    if ((o as Record<string, unknown>)[k] === null)
      throw new ConfigError(`options.${k}`, 'a value or undefined (omit it for the default)', null);
  }
  const executors = o.executors ?? 0;
  if (!(executors === 'auto' || (Number.isInteger(executors) && executors >= 0 && executors < 1024)))
    throw new ConfigError('options.executors', '"auto" or an integer in [0, 1023]', o.executors);
  const throughput = o.throughput ?? 64;
  if (!(Number.isInteger(throughput) && throughput > 0))
    throw new ConfigError('options.throughput', 'a positive integer', o.throughput);
  const yieldMs = checkRange(o.yieldMs ?? 5, 'options.yieldMs', YIELD_MS);
  const askTimeoutMs = checkRange(o.askTimeoutMs ?? 5000, 'options.askTimeoutMs', ASK_TIMEOUT_MS);
  const clock = o.clock ?? systemClock;
  if (
    clock === null ||
    typeof clock !== 'object' ||
    typeof clock.now !== 'function' ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function'
  )
    throw new ConfigError('options.clock', 'a Clock { now, setTimeout, clearTimeout }', clock);
  const events = o.events ?? {};
  if (events === null || typeof events !== 'object')
    throw new ConfigError('options.events', 'an object', events);
  checkKeys(events, EVENT_KEYS, 'options.events');
  if (events.perMessage !== undefined && !['auto', 'on', 'off'].includes(events.perMessage))
    throw new ConfigError('options.events.perMessage', '"auto" | "on" | "off"', events.perMessage);
  if (
    events.sampleRate !== undefined &&
    !(typeof events.sampleRate === 'number' && events.sampleRate >= 0 && events.sampleRate <= 1)
  )
    throw new ConfigError('options.events.sampleRate', 'a number in [0, 1]', events.sampleRate);
  const actors = o.actors;
  if (
    actors !== undefined &&
    !(actors instanceof URL) &&
    typeof actors !== 'string' &&
    (actors === null || typeof actors !== 'object')
  )
    throw new ConfigError('options.actors', 'a URL, a path, or a module namespace object', actors);
  if (typeof actors === 'string') actorsModuleHref(actors);
  const handleSignals =
    o.handleSignals === undefined || o.handleSignals === false
      ? []
      : resolveSignals(o.handleSignals, 'options.handleSignals');
  return {
    handleSignals,
    actors,
    executors,
    throughput,
    yieldMs,
    askTimeoutMs,
    mailbox: resolveMailbox(o.mailbox, 'options.mailbox'),
    scheduler: resolveSchedulerOptions(o),
    deadlock: resolveDeadlockOptions(o.deadlock),
    clock,
    events,
    deadLetterLog: resolveDeadLetterOptions(o.deadLetters),
    logger: resolveLogger(o.logger),
    ...resolvePlugins(o),
  };
}
