export { Activity, quiescent } from './activity.ts';
export { type AdaptiveConfig, type PoolDecision, PoolPolicy } from './adaptive.ts';
export {
  type Admission,
  Board,
  BUSY_PUBLISH_MS,
  DEAD_REASONS,
  INBOX_WAIT_MS,
  SLOT,
  STRIDE,
  wallNow,
} from './board.ts';
export { decode, type Extension, encode, registerExtension } from './codec.ts';
// The code space of everything that crosses between threads (W_*, K_*, F_*, REQ_*, OP_*): codes.ts.
export * from './codes.ts';
export {
  COMPACT_MAX_UTILIZATION,
  COMPACT_MIN_RATE,
  COMPACT_MIN_SHARE,
  COMPACT_WINDOW_MS,
  type CompactionRule,
  Compactor,
  type SentCount,
} from './compaction.ts';
export { registerErrorClass } from './error-codec.ts';
export {
  ExecutorLoop,
  type LoopConfig,
  type LoopHost,
  type LoopLink,
  type LoopMove,
} from './executor-loop.ts';
export { type MainLifetime, POLL_MAX_MS, ProcessLifetime } from './lifetime.ts';
export {
  DEFAULT_MAX_NAMES,
  NameTable,
  NameTableFullError,
  type NameTableOptions,
} from './names.ts';
export { type PlacementProblem, type PlacementSpec, Placer } from './placement.ts';
export { type ExecutorHandle, ExecutorPool, ExecutorStartError, type PoolOptions } from './pool.ts';
export { RingQueue } from './ring-queue.ts';
export { RunQueue } from './run-queue.ts';
export { type Holdable, SenderSync, type SyncLink } from './sender-sync.ts';
export {
  type CheckOptions,
  ERROR_WEIGHT,
  findUnserializable,
  MAX_DEPTH,
  type SerializableProblem,
} from './serializable.ts';
export {
  MAX_STEAL,
  MessageCost,
  STEAL_SCAN,
  type StealConfig,
  StealController,
  type StealRequest,
  stealCount,
  WORTH_MS,
  worthMoving,
} from './stealing.ts';
export {
  assignGroups,
  parseCpuList,
  parseTopologySpec,
  readAffinity,
  readCpuQuota,
  readNumaGroups,
  readTopology,
  type Topology,
  TopologyError,
  type TopologyOptions,
} from './topology.ts';
export { BATCH_WAIT_MS, Channel, decodeBatch } from './transport.ts';
export type { Runnable, Unit, UnitKind } from './unit.ts';
export { type RunningRecord, Watchdog, WatchdogBoard, type WatchdogOptions } from './watchdog.ts';
