/**
 * InThreadRuntime: the Runtime (runtime.ts) of a system with `executors: 0`.
 * Every actor runs on the calling thread's host, so each operation is the
 * host's own: spawn is synchronous, a supervision tree starts under an
 * in-thread root guardian, stats and the wait-for graph are read directly,
 * and there are no executors to migrate to, sync, or terminate.
 *
 * Why in system/ and not executors/: it is built from the kernel and the
 * features alone (no thread, no frame) and implements the interface the
 * system defines; executors/ holds the threaded runtime, and from there it
 * could not name the interface without importing against the layers.
 */
import type { Observable } from 'rxjs';
import type { SchedulerMetrics } from '../executors/metrics.ts';
import { deadLetterLogPlugin, type FeaturePlugins } from '../executors/plugins.ts';
import type { WaitForGraphSnapshot } from '../features/deadlock/wait-for-graph.ts';
import type { SupervisorSpec, SupervisorSpecInput } from '../features/supervision/spec.ts';
import {
  type ShutdownFn,
  type StartOptions,
  type SupervisorHandle,
  startTree,
} from '../features/supervision/tree.ts';
import { cellOf } from '../kernel/cell-of.ts';
import type { ActorDefinition } from '../kernel/definition.ts';
import { ConfigError } from '../kernel/errors.ts';
import type { AnyTroupeEvent, DeadLetter } from '../kernel/events.ts';
import type { Host } from '../kernel/host.ts';
import { deadLetterLog, LocalGate } from '../kernel/log/dead-letters.ts';
import { warn } from '../kernel/log/logger.ts';
import type { ActorRef } from '../kernel/ref.ts';
import type { SpawnOptions } from '../kernel/spawn-options.ts';
import type { SystemStats } from '../kernel/stats.ts';
import type { ResolvedOptions } from './options.ts';
import type { Runtime } from './runtime.ts';

export class InThreadRuntime implements Runtime {
  constructor(
    private readonly host: Host,
    options: ResolvedOptions,
    private readonly features: FeaturePlugins,
  ) {
    // Dead letters are logged through this thread's own rate limit (the threaded runtime shares one).
    const log = options.deadLetterLog;
    const logger = options.logger;
    host.start([
      ...features.list,
      ...deadLetterLogPlugin(
        log === null ? null : deadLetterLog(log, new LocalGate(log, options.clock), (l) => warn(logger, l)),
      ),
    ]);
  }

  get events$(): Observable<AnyTroupeEvent> {
    return this.host.events.events$;
  }

  observe(rate: number): Observable<AnyTroupeEvent> {
    return this.host.events.observe(rate);
  }

  get deadLetters$(): Observable<DeadLetter> {
    return this.host.deadLetters.asObservable();
  }

  async spawn(def: ActorDefinition, props: unknown, options: SpawnOptions | undefined): Promise<ActorRef> {
    return this.spawnSync(def, props, options);
  }

  spawnSync(def: ActorDefinition, props: unknown, options: SpawnOptions | undefined): ActorRef {
    return this.host.spawnLocal(def, props, options, null);
  }

  lookup(name: string): ActorRef | undefined {
    return this.host.names.get(name)?.ref;
  }

  startTree(
    spec: SupervisorSpec | SupervisorSpecInput,
    options: StartOptions | undefined,
    shutdown: ShutdownFn,
  ): Promise<SupervisorHandle> {
    return startTree(this.host, spec, options, shutdown);
  }

  stop(ref: ActorRef): Promise<void> {
    const cell = cellOf(ref) ?? this.host.cells.get(ref.id);
    if (cell === undefined) return Promise.resolve();
    cell.requestStop('stopped');
    return cell.whenStopped();
  }

  migrate(): Promise<void> {
    return Promise.reject(new ConfigError('system.migrate', 'a system with executors', 0));
  }

  stats(): SystemStats {
    return this.host.stats.snapshot(this.host.cells.size);
  }

  metrics(): SchedulerMetrics {
    return { executors: [], groups: [] };
  }

  /** Nothing to wait for: the host's counters are exact at every instant. */
  syncStats(): Promise<void> {
    return Promise.resolve();
  }

  waitForGraph(): WaitForGraphSnapshot {
    return this.features.deadlock.waitForGraph();
  }

  /** No executors: the coordinator shuts the host down by itself. */
  attachShutdown(): void {}

  terminateExecutors(): Promise<void> {
    return Promise.resolve();
  }
}
