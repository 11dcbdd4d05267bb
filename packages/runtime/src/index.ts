export { type Clock, SimulatedClock, systemClock, type TimerHandle } from './clock.ts';
export type { ActorContext, Cancellable, InitContext, PendingReply, ScheduleOptions } from './context.ts';
export type {
  DeadlockOptions,
  DefinitionDeadlockOptions,
  ResolvedDeadlockOptions,
} from './deadlock/options.ts';
export {
  type DeadlockAction,
  type DeadlockActor,
  type DeadlockAsk,
  type DeadlockCycle,
  type DeadlockStrategy,
  registerDeadlockStrategy,
} from './deadlock/strategies.ts';
export type { WaitEdge, WaitForGraphSnapshot, WaitNode } from './deadlock/wait-for-graph.ts';
export {
  type ActorDefinition,
  type Awaitable,
  type Behavior,
  type DefinitionOptions,
  defineActor,
  isActorDefinition,
  type MessageOf,
  type PropsOf,
  type StateOf,
} from './definition.ts';
export {
  type ActorDescription,
  ActorFailedError,
  ActorStoppedError,
  AskTimeoutError,
  ConfigError,
  type DeadlockCycleEntry,
  DeadlockError,
  DuplicateNameError,
  type ErrorCode,
  EscalatedError,
  HierarchyViolationError,
  InitFailedError,
  isActorFailedError,
  isActorStoppedError,
  isAskTimeoutError,
  isConfigError,
  isDeadlockError,
  isDuplicateNameError,
  isEscalatedError,
  isHierarchyViolationError,
  isInitFailedError,
  isMailboxFullError,
  isNameLimitError,
  isShutdownError,
  isTroupeError,
  isUnknownActorError,
  isUnserializableError,
  MailboxFullError,
  NameLimitError,
  ShutdownError,
  TroupeError,
  UnknownActorError,
  UnserializableError,
} from './errors.ts';
export type {
  ActorFailedEvent,
  ActorMigratedEvent,
  ActorRestartedEvent,
  ActorSpawnedEvent,
  ActorStoppedEvent,
  AnyTroupeEvent,
  DeadLetter,
  DeadLetterReason,
  EventOptions,
  ExtensionEvent,
  MessageDeadLetteredEvent,
  MessageProcessedEvent,
  MessageReceivedEvent,
  MessageSentEvent,
  MigrationReason,
  ObserverFailedEvent,
  TroupeEvent,
} from './events.ts';
export { fromMachine, type MachineState } from './machine.ts';
export type { MailboxOptions, OverflowPolicy, ResolvedMailbox } from './mailbox.ts';
export type { ResolvedOptions, SystemOptions } from './options.ts';
export { ActorRef, type AskOptions } from './ref.ts';
export type { Ask, RepliesOf, ReplyOf } from './reply.ts';
export {
  exitCodeOf,
  type ForcedActor,
  formatReport,
  type HookFailure,
  type OnStopFate,
  type PhaseReport,
  SHUTDOWN_PHASES,
  type ShutdownHook,
  type ShutdownHookContext,
  type ShutdownHookOptions,
  type ShutdownOptions,
  type ShutdownOutcome,
  type ShutdownPhase,
  type ShutdownReport,
  type ShutdownSignal,
  type SignalOptions,
} from './shutdown/index.ts';
export type { ActorSnapshot, AskDescriptor } from './snapshot.ts';
export type { Placement, SpawnOptions } from './spawn-options.ts';
export type { SystemStats } from './stats.ts';
export type { Backoff, BackoffOptions } from './supervision/backoff.ts';
export type { ChildStatus } from './supervision/control.ts';
export type {
  ChildFailedEvent,
  ChildRestartedEvent,
  ChildStartedEvent,
  EscalatedEvent,
  IntensityExceededEvent,
  SupervisorEvent,
} from './supervision/events.ts';
export type { IntensityOptions } from './supervision/intensity.ts';
export type { ChildSupervision, ChildSupervisionOptions } from './supervision/policy.ts';
export type { RetryOptions, RetryPolicy } from './supervision/retry.ts';
export {
  type ChildInfo,
  type ChildSpec,
  type ChildSpecInput,
  type Decider,
  type DeciderTable,
  type Directive,
  loadSupervisorSpec,
  type RestartType,
  type Strategy,
  type SupervisorChildSpec,
  type SupervisorChildSpecInput,
  type SupervisorSpec,
  type SupervisorSpecInput,
  supervisor,
  type WorkerChildSpec,
  type WorkerChildSpecInput,
} from './supervision/spec.ts';
export { type StartOptions, SupervisorHandle, type TreeFailure } from './supervision/tree.ts';
export { ActorSystem, createSystem } from './system.ts';
export { isTerminated, Terminated } from './terminated.ts';
export type { FaultOptions, ResolvedFaults } from './threaded/fault-options.ts';
export type { ExecutorMetrics, GroupMetrics, SchedulerMetrics } from './threaded/metrics.ts';
export type { ResolvedScheduler, SchedulerOptions } from './threaded/options.ts';
export type { FaultCounts } from './threaded/recovery.ts';
