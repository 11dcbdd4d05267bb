export type { FaultOptions, ResolvedFaults } from './executors/fault-options.ts';
export type { ExecutorMetrics, GroupMetrics, SchedulerMetrics } from './executors/metrics.ts';
export type { ResolvedScheduler, SchedulerOptions } from './executors/options.ts';
export type { FaultCounts } from './executors/recovery.ts';
export type {
  DeadlockOptions,
  DefinitionDeadlockOptions,
  ResolvedDeadlockOptions,
} from './features/deadlock/options.ts';
export {
  type DeadlockAction,
  type DeadlockActor,
  type DeadlockAsk,
  type DeadlockCycle,
  type DeadlockStrategy,
  registerDeadlockStrategy,
} from './features/deadlock/strategies.ts';
export type { WaitEdge, WaitForGraphSnapshot, WaitNode } from './features/deadlock/wait-for-graph.ts';
export type {
  FailedTaskInfo,
  GroupOptions,
  MapOptions,
  Percentiles,
  Pool,
  PoolCloseReport,
  PoolEvent,
  PoolOptions,
  PoolStats,
  TaskContext,
  TaskFunction,
  TaskGroup,
  TaskModule,
  TaskOptions,
  TaskRetryOptions,
  TaskSource,
} from './features/pool/index.ts';
export type { RetryOptions, RetryPolicy } from './features/retry/retry.ts';
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
} from './features/shutdown/index.ts';
export type { ChildStatus } from './features/supervision/control.ts';
export type {
  ChildFailedEvent,
  ChildRestartedEvent,
  ChildStartedEvent,
  EscalatedEvent,
  IntensityExceededEvent,
  SupervisorEvent,
} from './features/supervision/events.ts';
export type { IntensityOptions } from './features/supervision/intensity.ts';
export type { ChildSupervision, ChildSupervisionOptions } from './features/supervision/policy.ts';
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
} from './features/supervision/spec.ts';
export { type StartOptions, SupervisorHandle, type TreeFailure } from './features/supervision/tree.ts';
export { fromMachine, type MachineState } from './features/xstate/machine.ts';
export type { Backoff, BackoffOptions } from './kernel/backoff.ts';
export type { ActorCell } from './kernel/cell.ts';
export { type Clock, SimulatedClock, systemClock, type TimerHandle } from './kernel/clock.ts';
export type {
  ActorContext,
  Cancellable,
  InitContext,
  PendingReply,
  ScheduleOptions,
} from './kernel/context.ts';
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
} from './kernel/definition.ts';
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
  isPoolClosedError,
  isPoolFullError,
  isRecordingError,
  isShutdownError,
  isTaskCancelledError,
  isTaskLostError,
  isTaskTimeoutError,
  isTroupeError,
  isUnknownActorError,
  isUnserializableError,
  MailboxFullError,
  NameLimitError,
  PoolClosedError,
  PoolFullError,
  RecordingError,
  ShutdownError,
  TaskCancelledError,
  TaskLostError,
  TaskTimeoutError,
  TroupeError,
  UnknownActorError,
  UnserializableError,
} from './kernel/errors.ts';
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
} from './kernel/events.ts';
export type {
  AroundInterceptor,
  Interceptor,
  KernelApi,
  ProcessInterceptor,
  SendInterceptor,
} from './kernel/hooks.ts';
export type { Host, HostPlugin as Plugin } from './kernel/host.ts';
export type { MailboxOptions, OverflowPolicy, ResolvedMailbox } from './kernel/mailbox.ts';
export { ActorRef, type AskOptions } from './kernel/ref.ts';
export type { Ask, RepliesOf, ReplyOf } from './kernel/reply.ts';
export type { ActorSnapshot, AskDescriptor } from './kernel/snapshot.ts';
export type { Placement, SpawnOptions } from './kernel/spawn-options.ts';
export type { SystemStats } from './kernel/stats.ts';
export { isTerminated, Terminated } from './kernel/terminated.ts';
export type { ResolvedOptions, SystemOptions } from './system/options.ts';
export type { PluginOptions } from './system/plugin-options.ts';
export { ActorSystem, createSystem } from './system/system.ts';
