/**
 * Runtime: what differs between a system in one thread and one with
 * executors, behind one interface. `ActorSystem` (system.ts) validates its
 * arguments and calls through it; it never asks which mode it is in.
 * `createSystem` picks the implementation once: InThreadRuntime
 * (in-thread.ts, `executors: 0`) or ThreadedRuntime (executors/runtime.ts).
 *
 * Defined here, by its user. The threaded implementation lives below the
 * system layer (executors → features → kernel) and cannot import it: it
 * conforms structurally, which createSystem's assignment checks.
 */
import type { Observable } from 'rxjs';
import type { SchedulerMetrics } from '../executors/metrics.ts';
import type { WaitForGraphSnapshot } from '../features/deadlock/wait-for-graph.ts';
import type { ShutdownCoordinator } from '../features/shutdown/index.ts';
import type { SupervisorSpec, SupervisorSpecInput } from '../features/supervision/spec.ts';
import type { ShutdownFn, StartOptions, SupervisorHandle } from '../features/supervision/tree.ts';
import type { ActorDefinition } from '../kernel/definition.ts';
import type { AnyTroupeEvent, DeadLetter } from '../kernel/events.ts';
import type { ActorRef } from '../kernel/ref.ts';
import type { SpawnOptions } from '../kernel/spawn-options.ts';
import type { SystemStats } from '../kernel/stats.ts';

/** The part of the shutdown coordinator a runtime plugs its executors into. */
export type ShutdownAttach = Pick<ShutdownCoordinator, 'attachExecutors'>;

export interface Runtime {
  /** Every event of every thread (the system isolates each subscriber). */
  readonly events$: Observable<AnyTroupeEvent>;
  /** The same at a chosen per-message sampling rate (0: lifecycle only; EventBus.observe). */
  observe(rate: number): Observable<AnyTroupeEvent>;
  /** Every dead letter of every thread (the system isolates each subscriber). */
  readonly deadLetters$: Observable<DeadLetter>;
  spawn(def: ActorDefinition, props: unknown, options: SpawnOptions | undefined): Promise<ActorRef>;
  /** Spawns without a promise, or throws a ConfigError where spawning is a round trip. */
  spawnSync(def: ActorDefinition, props: unknown, options: SpawnOptions | undefined): ActorRef;
  lookup(name: string): ActorRef | undefined;
  /** `system.start`: a supervision tree under a root guardian on this thread. */
  startTree(
    spec: SupervisorSpec | SupervisorSpecInput,
    options: StartOptions | undefined,
    shutdown: ShutdownFn,
  ): Promise<SupervisorHandle>;
  /** Stops an actor wherever it runs; resolves once it has terminated. */
  stop(ref: ActorRef): Promise<void>;
  /** Moves an actor to another executor, or rejects with a ConfigError where there is none. */
  migrate(ref: ActorRef, to: { executor: number }): Promise<void>;
  stats(): SystemStats;
  metrics(): SchedulerMetrics;
  /** Resolves once `stats()` counts everything handled before the call. */
  syncStats(): Promise<void>;
  waitForGraph(): WaitForGraphSnapshot;
  /** Gives the shutdown coordinator its view of the executors, where there are some. */
  attachShutdown(coordinator: ShutdownAttach): void;
  /** Terminates every executor thread (shutdown's last phase); idempotent. */
  terminateExecutors(): Promise<void>;
}
