/**
 * ActorSystem: the application's handle. `createSystem` validates options,
 * loads the actor module's definitions and starts the hosts.
 */
import type { Observable } from 'rxjs';
import { actorsModuleHref } from '../executors/actors-module.ts';
import type { SchedulerMetrics } from '../executors/metrics.ts';
import { type FeaturePlugins, featurePlugins } from '../executors/plugins.ts';
import { ThreadedRuntime } from '../executors/runtime.ts';
import type { WaitForGraphSnapshot } from '../features/deadlock/wait-for-graph.ts';
import {
  createPool,
  POOL_WORKER,
  type Pool,
  type PoolOptions,
  type TaskSource,
} from '../features/pool/index.ts';
import {
  type KillReports,
  resolveSignals,
  ShutdownCoordinator,
  type ShutdownHook,
  type ShutdownHookOptions,
  type ShutdownOptions,
  type ShutdownPhase,
  type ShutdownReport,
  type ShutdownSignal,
  SignalHandler,
  type SignalOptions,
} from '../features/shutdown/index.ts';
import type { SupervisorSpec, SupervisorSpecInput } from '../features/supervision/spec.ts';
import type { StartOptions, SupervisorHandle } from '../features/supervision/tree.ts';
import type { ActorCell } from '../kernel/cell.ts';
import { cellOf } from '../kernel/cell-of.ts';
import type { ActorDefinition, MessageOf, PropsOf } from '../kernel/definition.ts';
import { definitionsOf } from '../kernel/definition.ts';
import { ConfigError } from '../kernel/errors.ts';
import type { AnyTroupeEvent, DeadLetter } from '../kernel/events.ts';
import { Host } from '../kernel/host.ts';
import { isolate } from '../kernel/isolated-observable.ts';
import { warn } from '../kernel/log/logger.ts';
import { type ActorRef, checkRef } from '../kernel/ref.ts';
import { dehydrate, rehydrate } from '../kernel/snapshot.ts';
import type { SpawnOptions } from '../kernel/spawn-options.ts';
import type { SystemStats } from '../kernel/stats.ts';
import { checkKeys } from '../kernel/validate.ts';
import { InThreadRuntime } from './in-thread.ts';
import { type ResolvedOptions, resolveOptions, type SystemOptions } from './options.ts';
import type { Runtime } from './runtime.ts';

export type { ShutdownOptions, ShutdownReport };

export class ActorSystem {
  /** @internal */
  readonly host: Host;
  readonly options: ResolvedOptions;
  /** @internal graceful shutdown (features/shutdown/phases.ts); the threaded system attaches its executors here. */
  readonly shutdownCoordinator: ShutdownCoordinator;
  private signalHandler: SignalHandler | null = null;
  /** @internal what differs by mode (runtime.ts): in-thread, or executor threads. */
  readonly runtime: Runtime;

  /** @internal every kill on the main host (kernel onKilled hook): shutdown reports them as forced. */
  readonly kills: KillReports;

  /** @internal use createSystem */
  constructor(options: ResolvedOptions, host: Host, runtime: Runtime, features: FeaturePlugins) {
    this.options = options;
    this.host = host;
    this.runtime = runtime;
    this.kills = features.kills;
    this.shutdownCoordinator = new ShutdownCoordinator(this);
    runtime.attachShutdown(this.shutdownCoordinator);
    if (options.handleSignals.length > 0) this.handleSignals(options.handleSignals);
  }

  /**
   * Every observable step as one typed stream (lifecycle always; per-message while subscribed).
   * A subscriber that throws is unsubscribed and reported (`observer.failed`, a log line); the
   * system and the other subscribers go on (isolated-observable.ts).
   */
  get events$(): Observable<AnyTroupeEvent> {
    return isolate(this.runtime.events$, (e) => this.observerFailed('events$', e));
  }

  /**
   * `events$` at a chosen cost, for observers that run all the time (a dashboard, a sampler):
   * lifecycle events always, per-message events for about `sampleRate` (0–1) of messages —
   * with 0, subscribing turns no per-message event on. Subscribers share one stream, so each
   * sees what the highest rate asked for produces (`events$` asks for every message), capped by
   * `options.events.sampleRate`. Subscribers are isolated as in `events$`.
   */
  observe(options: { readonly sampleRate: number }): Observable<AnyTroupeEvent> {
    if (options === null || typeof options !== 'object')
      throw new ConfigError('system.observe(options)', '{ sampleRate }', options);
    checkKeys(options, ['sampleRate'], 'system.observe(options)');
    const rate = options.sampleRate;
    if (!(typeof rate === 'number' && rate >= 0 && rate <= 1))
      throw new ConfigError('system.observe(options).sampleRate', 'a number in [0, 1]', rate);
    return isolate(this.runtime.observe(rate), (e) => this.observerFailed('events$', e));
  }

  /** Messages that could not be delivered or processed, with the reason; subscribers isolated as in `events$`. */
  get deadLetters$(): Observable<DeadLetter> {
    return isolate(this.runtime.deadLetters$, (e) => this.observerFailed('deadLetters$', e));
  }

  /** A subscriber of `stream` threw and was unsubscribed: say so, as an event and a log line. */
  private observerFailed(stream: 'events$' | 'deadLetters$', error: unknown): void {
    warn(
      this.options.logger,
      `troupe: a subscriber of ${stream} threw and was unsubscribed (the system runs on): ${String(error)}` +
        ' (the observer.failed event carries the error)',
    );
    const host = this.host;
    host.emit({ type: 'observer.failed', at: host.clock.now(), stream, error });
  }

  get clock() {
    return this.host.clock;
  }

  /** Definitions known by name (from `actors` and every spawn). */
  definitions(): string[] {
    return [...this.host.definitions.keys()];
  }

  spawn<D extends ActorDefinition>(
    def: D,
    props: PropsOf<D>,
    options?: SpawnOptions,
  ): Promise<ActorRef<MessageOf<D>>> {
    return this.runtime.spawn(def, props, options) as Promise<ActorRef<MessageOf<D>>>;
  }

  /** In-thread spawn without the promise (benchmarks, tests); a ConfigError with executors. */
  spawnSync<D extends ActorDefinition>(
    def: D,
    props: PropsOf<D>,
    options?: SpawnOptions,
  ): ActorRef<MessageOf<D>> {
    return this.runtime.spawnSync(def, props, options) as ActorRef<MessageOf<D>>;
  }

  lookup<M = unknown>(name: string): ActorRef<M> | undefined {
    if (typeof name !== 'string') throw new ConfigError('lookup(name)', 'a string', name);
    return this.runtime.lookup(name) as ActorRef<M> | undefined;
  }

  /**
   * Starts a supervision tree under the root guardian (see features/supervision/tree.ts;
   * with executors the whole tree runs on one of them, executors/tree-threaded.ts).
   * Resolves once every supervisor in it has started its children; rejects
   * with a ConfigError for a bad spec, or with the failure if the tree cannot start.
   */
  async start(spec: SupervisorSpec | SupervisorSpecInput, options?: StartOptions): Promise<SupervisorHandle> {
    return this.runtime.startTree(spec, options, (reason: string) => this.shutdown({ reason }));
  }

  /**
   * A task pool whose workers are actors on this system's executors (features/pool): `submit`,
   * `submitWait`, `submitAll`, `map`, `wait`, `resize`, `stats`, `close`, `destroy`. `task` is a
   * module (URL or absolute path; its default export, or `{ module, export }`) every executor
   * imports, or a plain function for an in-thread system. Resolves once `min` workers started.
   */
  pool<I = any, R = any>(task: TaskSource<I, R>, options?: PoolOptions): Promise<Pool<I, R>> {
    return createPool<I, R>(
      {
        clock: this.host.clock,
        executors: this.runtime.metrics().executors.length,
        spawn: (def, props) => this.spawn(def, props, { placement: 'spread' }),
        stop: (ref) => this.stop(ref),
        onShutdown: (fn, timeoutMs) =>
          this.onShutdown('stop-intake', async () => void (await fn()), { timeoutMs, name: 'pool' }),
        warn: (line) => warn(this.options.logger, line),
      },
      task,
      options,
    );
  }

  /** Stops an actor (children first, then onStop); resolves once it has terminated. */
  stop(ref: ActorRef): Promise<void> {
    checkRef(ref, 'system.stop(ref)');
    return this.runtime.stop(ref);
  }

  stats(): SystemStats {
    return this.runtime.stats();
  }

  /**
   * Per-executor and per-NUMA-group scheduler metrics (queueDepth,
   * workerUtilization, stealAttempts, stealSuccesses, numaCrossings,
   * migrations, tasksCompleted). Empty with `executors: 0`.
   */
  metrics(): SchedulerMetrics {
    return this.runtime.metrics();
  }

  /** Moves an actor to another executor (tests, operators); pinned actors refuse with a ConfigError. */
  migrate(ref: ActorRef, to: { executor: number }): Promise<void> {
    checkRef(ref, 'system.migrate(ref)');
    if (to !== null && typeof to === 'object') checkKeys(to, ['executor'], 'system.migrate(ref, to)');
    return this.runtime.migrate(ref, to);
  }

  /**
   * Threaded mode: resolves once every executor has published its counters,
   * so `stats()` reflects every message handled before the call.
   */
  async syncStats(): Promise<void> {
    await this.runtime.syncStats();
  }

  /** Terminates every executor thread now (shutdown's last phase calls it). Idempotent. */
  terminateExecutors(): Promise<void> {
    return this.runtime.terminateExecutors();
  }

  /**
   * Who waits on whom right now: a node per waiting or waited-on actor, an
   * edge per pending ask whose asker's handler is blocked on it (the seeds'
   * LockGraph). Empty while no deadlock feature is configured. With
   * executors: the main thread's view of the edges they forward (only while
   * some strategy detects), behind them by about a millisecond (edges wait
   * that long before they are sent, features/deadlock/forwarder.ts) and a channel hop.
   */
  waitForGraph(): WaitForGraphSnapshot {
    return this.runtime.waitForGraph();
  }

  /** Encodes an actor (state, pending mailbox, watchers) as bytes without moving it. */
  dehydrate(ref: ActorRef): Uint8Array {
    checkRef(ref, 'system.dehydrate(ref)');
    const cell = this.cellOf(ref);
    if (cell === undefined)
      throw new ConfigError('system.dehydrate(ref)', 'a live actor of this system', ref.toString());
    return dehydrate(cell, false);
  }

  /** Encodes an actor and removes it from this system; its ref forwards to wherever it is rehydrated. */
  detach(ref: ActorRef): Uint8Array {
    checkRef(ref, 'system.detach(ref)');
    const cell = this.cellOf(ref);
    if (cell === undefined)
      throw new ConfigError('system.detach(ref)', 'a live actor of this system', ref.toString());
    const bytes = dehydrate(cell, true);
    // It leaves this system (its rehydration is an `actor.spawned` where it lands): spawned − stopped = live.
    const host = cell.host;
    if (host.events.hasListeners)
      host.emit({ type: 'actor.stopped', at: host.clock.now(), actor: cell.desc, reason: 'detached' });
    return bytes;
  }

  /** Recreates an actor from `dehydrate`/`detach` bytes; it resumes with its state and pending messages. */
  rehydrate<M = unknown>(bytes: Uint8Array): ActorRef<M> {
    if (!(bytes instanceof Uint8Array))
      throw new ConfigError('system.rehydrate(bytes)', 'a Uint8Array', bytes);
    return rehydrate(this.host, bytes) as ActorRef<M>;
  }

  /**
   * Shuts the system down in six phases — stop intake, drain, stop actors in
   * reverse start order, force-stop what is left at `timeoutMs`, flush,
   * terminate — and reports what happened to every actor and message.
   * Idempotent: every call returns the first call's promise (`{ force: true }`
   * on a running shutdown cuts it short). See features/shutdown/phases.ts.
   */
  shutdown(options?: ShutdownOptions): Promise<ShutdownReport> {
    return this.shutdownCoordinator.run(options);
  }

  /**
   * Runs `fn` during `phase` of shutdown (e.g. `'stop-intake'` to close an HTTP
   * server before draining, `'flush'` to flush a sink). A hook that throws or
   * overruns `timeoutMs` (default 5000) is reported and never blocks later phases.
   * Returns a function that unregisters it.
   */
  onShutdown(phase: ShutdownPhase, fn: ShutdownHook, options?: ShutdownHookOptions): () => void {
    return this.shutdownCoordinator.onShutdown(phase, fn, options);
  }

  /**
   * The first of `signals` (default SIGTERM and SIGINT) starts a graceful
   * shutdown, a second forces it; once done the report is logged, the exit
   * code set (0 clean, 1 a hook failed, 2 forced, 3 incomplete) and the listeners removed.
   */
  handleSignals(signals: readonly ShutdownSignal[] = ['SIGTERM', 'SIGINT'], options?: SignalOptions): void {
    const list = resolveSignals(signals, 'handleSignals(signals)');
    if (this.shutdownCoordinator.started) return;
    this.signalHandler ??= new SignalHandler(this.shutdownCoordinator);
    this.signalHandler.install(list, options);
  }

  private cellOf(ref: ActorRef): ActorCell | undefined {
    const c = cellOf(ref) ?? this.host.cells.get(ref.id);
    return c ?? undefined;
  }
}

async function loadDefinitions(actors: SystemOptions['actors']): Promise<ActorDefinition[]> {
  if (actors === undefined) return [];
  if (actors instanceof URL || typeof actors === 'string') {
    const url = actorsModuleHref(actors);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError('options.actors', 'an importable module', `${url} (${(e as Error).message})`);
    }
    return definitionsOf(mod);
  }
  return definitionsOf(actors as Record<string, unknown>);
}

/** The main thread's host (node 0), with every definition known by name (each runtime starts it with its plugins). */
function systemHost(options: ResolvedOptions, definitions: readonly ActorDefinition[]): Host {
  const host = new Host({
    node: 0,
    clock: options.clock,
    throughput: options.throughput,
    yieldMs: options.yieldMs,
    askTimeoutMs: options.askTimeoutMs,
    mailbox: options.mailbox,
    events: options.events,
  });
  for (const d of definitions) host.register(d, `actors.${d.name}`);
  return host;
}

/** Creates an actor system. Validates every option first (ConfigError names the bad field). */
export async function createSystem(options: SystemOptions = {}): Promise<ActorSystem> {
  const resolved = resolveOptions(options);
  const defs = await loadDefinitions(resolved.actors);
  const host = systemHost(resolved, defs);
  // The main host's features (kernel/hooks.ts); each runtime starts the host with them.
  const builtIn = featurePlugins(resolved.deadlock);
  // The user's plugins (options.plugins) run after the runtime's features.
  const features = { ...builtIn, list: [...builtIn.list, ...resolved.plugins] };
  // The one place the mode is decided.
  const runtime: Runtime =
    resolved.executors === 0
      ? new InThreadRuntime(host, resolved, features)
      : await ThreadedRuntime.start(
          host,
          resolved,
          new Set([...defs.map((d) => d.name), POOL_WORKER]),
          features.list,
        );
  return new ActorSystem(resolved, host, runtime, features);
}
