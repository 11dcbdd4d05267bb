/**
 * ThreadedRuntime: the main thread's side of a system with executors. It
 * reads the topology, starts the pool, connects the main host (node 0) to
 * every executor and answers the system's questions over all of them:
 * spawn with placement, lookup, supervision trees, stop, migrate, stats,
 * metrics, events and dead letters, shutdown (system/runtime.ts `Runtime`).
 *
 * Its parts, one concern a file: launching threads (launch.ts), requests
 * to an executor (requests.ts), events and dead letters from every executor
 * (forwarding.ts), the adaptive pool (adaptive.ts), lost executors
 * (recovery.ts), the shutdown coordinator's view (shutdown-port.ts), trees
 * on an executor (tree-threaded.ts), the process's lifetime (scheduler lifetime.ts).
 *
 * Invariants: the main host runs no actors of its own in this mode (every
 * spawn from the main thread is placed on an executor); `stats()` and
 * `metrics()` read the board synchronously, so they lag at most one executor
 * tick; `terminateExecutors()` leaves no worker thread running.
 */

import {
  Activity,
  assignGroups,
  Board,
  type ExecutorStartError,
  F_DEADLETTER,
  F_DL_ACT,
  F_DL_CONFIRM,
  F_DL_CONFIRMED,
  F_DL_EDGES,
  F_EVENT,
  F_LOG,
  F_NAME,
  NameTable,
  Placer,
  PoolPolicy,
  ProcessLifetime,
  REQ_PUBLISH,
  REQ_SPAWN,
  readTopology,
  SLOT,
  type Topology,
  TopologyError,
  WatchdogBoard,
} from '@troupe/scheduler';
import type { Observable } from 'rxjs';
import { GlobalDeadlockDetector } from '../features/deadlock/global.ts';
import type { WaitForGraphSnapshot } from '../features/deadlock/wait-for-graph.ts';
import type { ExecutorShutdownPort } from '../features/shutdown/index.ts';
import type { SupervisorSpec, SupervisorSpecInput } from '../features/supervision/spec.ts';
import type { ShutdownFn, StartOptions, SupervisorHandle } from '../features/supervision/tree.ts';
import { PendingAsk } from '../kernel/ask.ts';
import type { ActorDefinition } from '../kernel/definition.ts';
import {
  ActorStoppedError,
  ConfigError,
  EXECUTORS_KNOW,
  ShutdownError,
  UnknownActorError,
  UnserializableError,
} from '../kernel/errors.ts';
import type { AnyTroupeEvent, DeadLetter } from '../kernel/events.ts';
import { type Host, type HostPlugin, NODE_SPACE } from '../kernel/host.ts';
import { deadLetterLog, sharedGate } from '../kernel/log/dead-letters.ts';
import { warn } from '../kernel/log/logger.ts';
import { ActorRef } from '../kernel/ref.ts';
import { checkPortable } from '../kernel/snapshot.ts';
import { resolveSpawnOptions, type SpawnOptions } from '../kernel/spawn-options.ts';
import type { SystemStats } from '../kernel/stats.ts';
import { SAMPLE_MS } from './adaptive.ts';
import { limitsStartError } from './fault-options.ts';
import { Forwarding } from './forwarding.ts';
import type { ThreadedConfig } from './launch.ts';
import { ThreadLink } from './link.ts';
import {
  type ExecutorMetrics,
  type GroupMetrics,
  metricsFromBoard,
  type SchedulerMetrics,
} from './metrics.ts';
import { placeOrThrow } from './placement.ts';
import { deadLetterLogPlugin } from './plugins.ts';
import { Recovery } from './recovery.ts';
import { ExecutorRequests } from './requests.ts';
import { addRows } from './row-stats.ts';
import { executorShutdownPort } from './shutdown-port.ts';
import { ExecutorThreads } from './threads.ts';
import { startThreadedTree } from './tree-threaded.ts';

export type { ExecutorMetrics, GroupMetrics, SchedulerMetrics };

/** Board rows kept for replacement executors. */
const REPLACEMENT_ROWS = 32;

export class ThreadedRuntime {
  readonly link: ThreadLink;
  readonly board: Board;
  readonly topology: Topology;
  private readonly placer: Placer;
  /** Who holds each name, system-wide; every executor claims in it (scheduler/names.ts). */
  readonly nameTable: NameTable;
  /** Ref objects for names (F_NAME frames, spawn replies): the table has ids, these the definitions. */
  readonly names = new Map<string, ActorRef>();
  private readonly lastUtil = new Map<number, { busy: number; at: number }>();
  /** Heartbeats, running records, transit ledger (scheduler/watchdog.ts). */
  readonly watchdogBoard: WatchdogBoard;
  /** Lost executors into actor failures, accounting, replacement (recovery.ts). */
  readonly recovery: Recovery;
  /** Cycles across executors, over the edges they forward (features/deadlock/global.ts). */
  readonly deadlock: GlobalDeadlockDetector;
  /** Requests (spawn, publish, …) awaiting an executor's answer (requests.ts). */
  private readonly requests: ExecutorRequests;
  /** Events and dead letters from every executor (forwarding.ts). */
  private readonly forwarding: Forwarding;
  /** The executor threads' lives: start, hang, loss, replacement, retirement, termination (threads.ts). */
  private readonly threads: ExecutorThreads;
  /** Holds the process while executors have work (scheduler lifetime.ts). */
  readonly lifetime: ProcessLifetime;

  private constructor(
    readonly host: Host,
    readonly options: ThreadedConfig,
    topology: Topology,
    board: Board,
    /** Names of the definitions the actors module exports: all an executor can spawn. */
    private readonly moduleDefinitions: ReadonlySet<string>,
    /** The main host's plugins (kernel/hooks.ts): the features', then the dead-letter log. */
    plugins: { readonly features: readonly HostPlugin[]; readonly logs: readonly HostPlugin[] },
  ) {
    this.topology = topology;
    this.board = board;
    this.link = new ThreadLink(host, board);
    this.link.activity = new Activity(board, 0);
    this.lifetime = new ProcessLifetime(board, host.lifetime);
    // The main host starts here, once its link exists: the link's hooks compose with the features'.
    host.start([...plugins.features, this.link.plugin(), ...plugins.logs]);
    host.connect(this.link, (id, name, def) => this.link.intern(id, name, def));
    this.nameTable = new NameTable({ node: 0, maxNames: options.scheduler.maxNames });
    host.nameTable = this.nameTable;
    this.placer = new Placer(board);
    this.requests = new ExecutorRequests(host, (n, frame) => this.link.send(n, frame), options.askTimeoutMs);
    this.deadlock = new GlobalDeadlockDetector(host, {
      confirm: (n, probe, ids) => this.sendIfConnected(n, [F_DL_CONFIRM, probe, ids], probe),
      act: (n, action, edgeId, cycle, strategy) =>
        this.sendIfConnected(n, [F_DL_ACT, action, edgeId, cycle, strategy]),
    });
    this.link.onControl = (from, f) => {
      if (f[0] === F_DL_EDGES) this.deadlock.apply(from, f[1] as unknown[]);
      else if (f[0] === F_DL_CONFIRMED) this.deadlock.confirmed(f[1] as number, f[2] as boolean);
      else this.control(from, f);
    };
    const faults = options.scheduler.faults;
    this.watchdogBoard = new WatchdogBoard(board.nodes);
    this.link.watchdog = this.watchdogBoard;
    this.link.asks = new Map();
    this.recovery = new Recovery({
      host,
      link: this.link,
      board,
      watchdog: this.watchdogBoard,
      faults,
      survivors: () => this.board.executors(),
      request: (n, op, args, ms) => this.request(n, op, args, ms),
      replace: (group) => this.threads.replace(group),
      forget: (isLost) => {
        this.nameTable.releaseWhere(isLost);
        for (const [name, ref] of this.names) if (isLost(ref.id)) this.names.delete(name);
      },
    });
    this.threads = new ExecutorThreads(
      {
        host,
        board,
        topology,
        link: this.link,
        nameTable: this.nameTable,
        watchdogBoard: this.watchdogBoard,
        lifetime: this.lifetime,
        requests: this.requests,
        recovery: this.recovery,
        deadlock: this.deadlock,
        connected: (node) => this.forwarding.tell(node),
        stopping: () => this.forwarding.stop(),
      },
      options,
    );
    this.forwarding = new Forwarding({
      host,
      board,
      handles: this.threads.handles,
      connected: (n) => this.link.channels.has(n),
      send: (n, frame) => this.link.send(n, frame),
    });
  }

  /**
   * Reads the topology and starts the executors; a failed start is a ConfigError with the cause.
   * `definitions`: the names the actors module exports, all an executor can spawn. `host` is not
   * started yet: it starts with `features` (kernel/hooks.ts) and the link's hooks.
   */
  static async start(
    host: Host,
    options: ThreadedConfig,
    definitions: ReadonlySet<string>,
    features: readonly HostPlugin[],
  ): Promise<ThreadedRuntime> {
    let topology: Topology;
    try {
      topology = readTopology({ override: options.scheduler.topology });
    } catch (e) {
      if (e instanceof TopologyError) throw new ConfigError(e.path, e.expected, e.got);
      throw e;
    }
    const sch = options.scheduler;
    const requested = options.executors === 'auto' ? topology.executors : options.executors;
    const n = Math.min(sch.maxExecutors ?? requested, Math.max(sch.minExecutors ?? 1, requested));
    // Spare rows: each replacement of a lost executor takes a fresh node (recovery.ts step 6).
    // Node numbers must stay below NODE_SPACE: ids embed them (id % NODE_SPACE is the birth node).
    const board = new Board(
      Math.min(NODE_SPACE, Math.max(n, options.scheduler.maxExecutors ?? n) + 1 + REPLACEMENT_ROWS),
    );
    // One spawn order for the whole system (host.ts `nextSeq`), past what this thread spawned already.
    board.seedSeq(host.spawned);
    host.useSequence(() => board.nextSeq());
    // One dead-letter log window for every thread; executors send the lines they may write here.
    const log = options.deadLetterLog;
    const logs = deadLetterLogPlugin(
      log === null ? null : deadLetterLog(log, sharedGate(board, log), (l) => warn(options.logger, l)),
    );
    const rt = new ThreadedRuntime(host, options, topology, board, definitions, { features, logs });
    const groups = assignGroups(n, topology);
    rt.threads.nextNode = Math.max(n, options.scheduler.maxExecutors ?? n) + 1;
    const started = await Promise.allSettled(groups.map((g, i) => rt.threads.start(i + 1, g)));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed !== undefined) {
      await rt.terminateExecutors();
      const e = (failed as PromiseRejectedResult).reason as ExecutorStartError;
      // Limits V8 cannot start under are the limits' fault, not the module's.
      const err =
        limitsStartError(options.scheduler.faults.resourceLimits, e.detail) ??
        new ConfigError('options.actors', 'a module every executor can load', e.message);
      (err as { cause?: unknown }).cause = e;
      throw err;
    }
    const min = sch.minExecutors ?? n;
    const max = sch.maxExecutors ?? n;
    if (min !== n || max !== n)
      rt.threads.adapt(
        new PoolPolicy(board, {
          min,
          max,
          idleTimeoutMs: sch.idleTimeoutMs,
          sustainMs: Math.max(3 * SAMPLE_MS, 2 * sch.tickMs),
          threshold: sch.stealThreshold,
        }),
      );
    return rt;
  }

  // ---- system operations (system/runtime.ts Runtime) -----------------------

  /** Sends a request to an executor and resolves with its answer (requests.ts). */
  request<T>(node: number, op: number, args: unknown[], timeoutMs = this.options.askTimeoutMs): Promise<T> {
    return this.requests.request(node, op, args, timeoutMs);
  }

  /** The executor a new actor (or supervision tree) from the main thread goes to. */
  place(placement: NonNullable<SpawnOptions['placement']>, path: string): number {
    return placeOrThrow(this.placer, placement, 0, path);
  }

  /**
   * An exported ask with no timeout that a frame from `node` settles later
   * (supervision trees report started/failed this way); rejected at once with
   * ActorStoppedError when `node` is lost, like every request to it.
   */
  awaitFrom<T>(node: number): { askId: number; promise: Promise<T> } {
    return this.requests.awaitFrom<T>(node);
  }

  async spawn(def: ActorDefinition, props: unknown, options: SpawnOptions | undefined): Promise<ActorRef> {
    this.host.register(def, 'system.spawn(def)');
    resolveSpawnOptions(options, 'system.spawn(options)'); // every field named here, before anything crosses
    // Executors know only what the actors module exports: refused here, not after a round trip.
    if (!this.moduleDefinitions.has(def.name))
      throw new UnknownActorError(def.name, [...this.moduleDefinitions], EXECUTORS_KNOW);
    if (!this.host.accepting) throw new ShutdownError(`system.spawn(${def.name})`);
    if (this.recovery.quarantined.has(def.name))
      throw new ActorStoppedError({ id: 0, def: def.name }, 'circuit-open');
    const { placement, ...rest } = (options ?? {}) as SpawnOptions & Record<string, unknown>;
    let target: number;
    if (placement === undefined && rest.parent !== undefined)
      target = (rest.parent as ActorRef).id % 1024; // next to its parent
    else target = placeOrThrow(this.placer, placement ?? 'spread', 0, 'system.spawn(options).placement');
    const p = checkPortable(props, 'props') ?? checkPortable(rest, 'options');
    if (p !== undefined) throw new UnserializableError('spawn props', p.path, p.found, undefined, p.limit);
    const ref = await this.request<ActorRef>(target, REQ_SPAWN, [
      def.name,
      props,
      Object.keys(rest).length ? rest : null,
    ]);
    if (ref.name !== undefined) this.names.set(ref.name, ref);
    return ref;
  }

  /** Every actor here runs on an executor: spawning is a round trip, never synchronous. */
  spawnSync(): never {
    throw new ConfigError(
      'system.spawnSync',
      'a system with executors: 0 (use spawn)',
      this.options.executors,
    );
  }

  /**
   * The name table is the truth (up to date the moment a claim returns, on
   * any thread); `names` only lends ref objects. A name claimed by `ctx.spawn`
   * whose F_NAME frame is still on its way gets a ref by id, its definition
   * not yet known here ('?').
   */
  lookup(name: string): ActorRef | undefined {
    const id = this.nameTable.get(name);
    if (id === undefined) return undefined;
    const known = this.names.get(name);
    if (known?.id === id) return known;
    return this.host.cells.get(id)?.ref ?? new ActorRef(id, name, '?', this.host, null);
  }

  /** `system.start`: the whole tree runs on one executor (tree-threaded.ts). */
  startTree(
    spec: SupervisorSpec | SupervisorSpecInput,
    options: StartOptions | undefined,
    shutdown: ShutdownFn,
  ): Promise<SupervisorHandle> {
    return startThreadedTree(this, this.host, spec, options, shutdown);
  }

  stop(ref: ActorRef): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // No timeout (a stop takes what onStop takes), but pending work: it holds the process (lifetime.ts).
      const life = this.host.lifetime;
      life.hold();
      const a = new PendingAsk(resolve, reject, undefined, this.host.clock, () => life.release());
      this.link.requestStopAndWait(ref, a);
    });
  }

  /** Moves an actor to executor `executor` (tests, operators). Pinned actors refuse with a ConfigError. */
  migrate(ref: ActorRef, to: { executor: number }): Promise<void> {
    if (to === null || typeof to !== 'object' || !this.board.executors().includes(to.executor))
      return Promise.reject(
        new ConfigError(
          'system.migrate(ref, to).executor',
          `one of ${this.board.executors().join(', ')}`,
          to?.executor,
        ),
      );
    return new Promise<void>((resolve, reject) => {
      const a = new PendingAsk(resolve, reject, undefined, this.host.timers);
      a.timer = this.host.timers.setTimeout(
        () => a.reject(new ActorStoppedError(ref.toJSON(), 'migration did not complete')),
        this.options.askTimeoutMs,
      );
      this.link.requestMigrate(ref, to.executor, a);
    });
  }

  stats(): SystemStats {
    const main = this.host.stats;
    const l = this.link;
    const t = addRows(this.board, [...this.board.executors(), ...this.threads.retired], {
      sent: main.sent + main.moved,
      processed: main.processed,
      dead: main.dead,
      actors: this.host.cells.size + l.arrivals.size + l.snapshotsOut - l.snapshotsIn,
      byReason: Object.fromEntries(main.byReason),
    });
    const lost = this.recovery.totals();
    const sent = t.sent + lost.sent;
    const processed = t.processed + lost.processed;
    const dead = t.dead + lost.dead;
    for (const [r, c] of lost.byReason) t.byReason[r] = (t.byReason[r] ?? 0) + c;
    return {
      sent,
      processed,
      deadLettered: { total: dead, byReason: t.byReason },
      inFlight: sent - processed - dead,
      actors: t.actors + lost.actors,
    };
  }

  /**
   * Asks every executor thread to publish now — those leaving the pool too: they run actors until
   * they have vacated — so once it resolves `stats()` includes everything handled before the call.
   */
  async syncStats(): Promise<void> {
    // A replacement not connected yet has nothing to publish; an executor lost meanwhile has its
    // counters accounted by recovery (step 1), one retired meanwhile published before it went:
    // none is a reason for syncStats to fail.
    const leaving = [...this.threads.retired].filter((n) => this.board.get(n, SLOT.alive) === 2);
    const threads = [...this.board.executors(), ...leaving].filter((n) => this.link.channels.has(n));
    await Promise.all(
      threads.map((n) =>
        this.request(n, REQ_PUBLISH, []).catch((e: unknown) => {
          if (this.link.channels.has(n)) throw e;
        }),
      ),
    );
  }

  /** The main thread's view of the wait-for edges the executors forward (features/deadlock/global.ts). */
  waitForGraph(): WaitForGraphSnapshot {
    return this.deadlock.snapshot();
  }

  metrics(): SchedulerMetrics {
    const m = {
      ...metricsFromBoard(this.board, this.threads.handles, this.lastUtil, performance.now()),
      faults: this.recovery.counts(),
    };
    this.host.emit({ type: 'executor.metrics', at: this.host.clock.now(), metrics: m });
    return m;
  }

  // ---- events, dead letters and control frames from every executor ---------

  get events$(): Observable<AnyTroupeEvent> {
    return this.forwarding.events$;
  }

  observe(rate: number): Observable<AnyTroupeEvent> {
    return this.forwarding.observe(rate);
  }

  get deadLetters$(): Observable<DeadLetter> {
    return this.forwarding.deadLetters$;
  }

  /** Deadlock frames to an executor that is gone: a probe to it fails (its edges went with it). */
  private sendIfConnected(node: number, frame: unknown[], probe?: number): void {
    if (this.link.channels.has(node)) this.link.send(node, frame);
    else if (probe !== undefined) queueMicrotask(() => this.deadlock.confirmed(probe, false));
  }

  private control(from: number, f: unknown[]): void {
    switch (f[0]) {
      case F_EVENT:
        this.forwarding.event(from, f[1] as AnyTroupeEvent);
        return;
      case F_DEADLETTER:
        this.forwarding.deadLetter(f[1] as DeadLetter);
        return;
      case F_LOG:
        warn(this.options.logger, f[1] as string);
        return;
      case F_NAME: {
        const name = f[1] as string;
        const ref = f[2] as ActorRef | null;
        if (ref !== null) this.names.set(name, ref);
        else if (this.names.get(name)?.id === f[3]) this.names.delete(name);
        return;
      }
    }
  }

  // ---- shutdown ------------------------------------------------------------

  /** Gives the shutdown coordinator its view of the executors (shutdown-port.ts). */
  attachShutdown(coordinator: { attachExecutors(port: ExecutorShutdownPort): void }): void {
    coordinator.attachExecutors(this.shutdownPort());
  }

  private shutdownPort(): ExecutorShutdownPort {
    return executorShutdownPort({
      board: this.board,
      definitions: this.host.definitions,
      closeIntake: () => {
        this.host.accepting = false;
      },
      request: (n, op, args, ms) => this.request(n, op, args, ms),
      stop: (ref) => this.stop(ref),
      running: (n) => this.watchdogBoard.running(n),
      terminate: (n, reason) => this.threads.terminate(n, reason),
      terminateAll: () => this.terminateExecutors(),
    });
  }

  /**
   * Terminates every executor thread and closes the main thread's channels;
   * resolves once no worker thread runs. Idempotent. Shutdown phase 6 calls it.
   */
  terminateExecutors(): Promise<void> {
    return this.threads.terminateAll();
  }
}
