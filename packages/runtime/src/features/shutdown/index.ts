/**
 * Graceful shutdown (phases.ts holds the protocol). The runtime's public
 * index re-exports the user-facing part; `attachExecutors`, `StopNode` and
 * `KillReports` are integration points for the threaded system.
 */

export type { OnStopFate } from '../../kernel/cell.ts';
export {
  DEFAULT_HOOK_TIMEOUT_MS,
  type HookFailure,
  SHUTDOWN_PHASES,
  type ShutdownHook,
  type ShutdownHookContext,
  type ShutdownHookOptions,
  type ShutdownPhase,
} from './hooks.ts';
export { KillReports } from './kills.ts';
export type { ShutdownOptions } from './options.ts';
export { ShutdownCoordinator, type ShutdownSubject } from './phases.ts';
export {
  exitCodeOf,
  type ForcedActor,
  formatReport,
  type PhaseReport,
  type ShutdownOutcome,
  type ShutdownReport,
} from './report.ts';
export {
  DEFAULT_SIGNALS,
  resolveSignals,
  type ShutdownSignal,
  SignalHandler,
  type SignalOptions,
} from './signals.ts';
export {
  cellNode,
  DEFAULT_SHUTDOWN_MS,
  type ExecutorShutdownPort,
  type KilledActor,
  ownShutdownMs,
  ownsChildStop,
  type StopNode,
  setShutdownMs,
  shutdownMsOf,
  type TerminatedExecutor,
} from './stop-node.ts';
