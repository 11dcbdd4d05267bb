/**
 * How the main thread launches executor threads: the worker entry, the
 * flags and loader they need to run from sources, and the data each one
 * starts with (shared buffers, options). Replacements of lost executors start
 * the same way, with the breaker's quarantine list as of their start.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Board, ExecutorPool, type NameTable, type WatchdogBoard } from '@troupe/scheduler';
import type { ResolvedDeadlockOptions } from '../features/deadlock/options.ts';
import type { EventOptions } from '../kernel/events.ts';
import type { DeadLetterLogOptions } from '../kernel/log/dead-letters.ts';
import type { Logger } from '../kernel/log/logger.ts';
import type { ResolvedMailbox } from '../kernel/mailbox.ts';
import { type ActorsOption, actorsUrl } from './actors-module.ts';
import type { ResolvedScheduler } from './options.ts';

/** What the threaded runtime reads of the resolved system options (system/options.ts ResolvedOptions). */
export interface ThreadedConfig {
  readonly actors: ActorsOption | undefined;
  readonly executors: number | 'auto';
  readonly throughput: number;
  readonly yieldMs: number;
  readonly askTimeoutMs: number;
  readonly mailbox: ResolvedMailbox;
  readonly events: EventOptions;
  readonly scheduler: ResolvedScheduler;
  readonly deadlock: ResolvedDeadlockOptions;
  readonly deadLetterLog: DeadLetterLogOptions | null;
  readonly logger: Logger;
  /** Modules each executor imports first (system/plugin-options.ts), hrefs. */
  readonly executorSetup: readonly string[];
}

const TS_ENTRY = import.meta.url.endsWith('.ts');
const ENTRY = new URL(TS_ENTRY ? './executor.ts' : './executor.js', import.meta.url);

/** Workers inherit execArgv; running from sources they also need the source condition. */
function executorExecArgv(extra: readonly string[] | undefined): string[] {
  const argv = [...process.execArgv, ...(extra ?? [])];
  if (TS_ENTRY && !argv.some((a) => a.includes('@troupe/source'))) argv.push('--conditions=@troupe/source');
  return argv;
}

const isTs = (href: string | null) => href !== null && /\.[mc]?ts$/.test(href);

/** tsx's ESM API, when TypeScript must load in the workers and tsx is installed. */
function tsxApi(modules: readonly (string | null)[]): string | undefined {
  const ts = modules.find(isTs) ?? null;
  if (!TS_ENTRY && ts === null) return undefined;
  try {
    const pkg = createRequire(ts ?? import.meta.url).resolve('tsx/package.json');
    return pathToFileURL(join(dirname(pkg), 'dist/esm/api/index.mjs')).href;
  } catch {
    return undefined; // no tsx: rely on Node's own type stripping
  }
}

/** The shared state every executor attaches to. */
export interface LaunchShared {
  readonly board: Board;
  readonly watchdogBoard: WatchdogBoard;
  readonly nameTable: NameTable;
  /** Definitions the restart breaker quarantined, as of a start (recovery.ts step 5). */
  quarantined(): string[];
}

/** The pool that starts executors (and their replacements) with `options`; `onExit` hears each thread's end. */
export function executorPool(
  options: ThreadedConfig,
  shared: LaunchShared,
  onExit: (node: number, code: number, error: unknown) => void,
): ExecutorPool {
  const { board, watchdogBoard, nameTable } = shared;
  const faults = options.scheduler.faults;
  const actors = actorsUrl(options.actors);
  return new ExecutorPool({
    entry: ENTRY,
    tsx: tsxApi([actors, ...options.executorSetup]),
    execArgv: executorExecArgv(options.scheduler.execArgv),
    resourceLimits: faults.resourceLimits,
    startupTimeoutMs: 60_000,
    data: {
      actors,
      setup: [...options.executorSetup],
      boardBuffer: board.buffer,
      boardNodes: board.nodes,
      throughput: options.throughput,
      yieldMs: options.yieldMs,
      askTimeoutMs: options.askTimeoutMs,
      mailbox: options.mailbox,
      deadlock: options.deadlock,
      events: options.events,
      deadLetterLog: options.deadLetterLog,
      tickMs: options.scheduler.tickMs,
      idleSpinMs: options.scheduler.idleSpinMs,
      compaction: options.scheduler.compaction,
      steal: {
        enabled: options.scheduler.stealing,
        maxStealRetries: options.scheduler.maxStealRetries,
        stealCooldownMs: options.scheduler.stealCooldownMs,
        stealThreshold: options.scheduler.stealThreshold,
      },
      watchdogBuffer: watchdogBoard.buffer,
      namesBuffer: nameTable.buffer,
      watchdog: faults.hangTimeoutMs !== false,
      // A getter: each start (replacements too) gets the breaker's list as of then.
      get quarantined() {
        return shared.quarantined();
      },
    },
    onExit,
  });
}
