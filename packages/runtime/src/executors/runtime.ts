/**
 * ThreadedRuntime: the main thread's side of a system with executors. It
 * reads the topology, starts the pool, connects the main host (node 0) to
 * every executor and answers the system's questions over all of them:
 * spawn with placement, lookup, stop, migrate, stats, metrics, events and
 * dead letters, shutdown.
 *
 * Invariants: the main host runs no actors of its own in this mode (every
 * spawn from the main thread is placed on an executor); `stats()` and
 * `metrics()` read the board synchronously, so they lag at most one executor
 * tick; `terminateExecutors()` leaves no worker thread running.
 */

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Activity,
  assignGroups,
  Board,
  ExecutorPool,
  type ExecutorStartError,
  NameTable,
  Placer,
  PoolPolicy,
  type RunningRecord,
  readTopology,
  SLOT,
  type Topology,
  TopologyError,
  Watchdog,
  WatchdogBoard,
} from '@troupe/scheduler';
import { Observable } from 'rxjs';
import { GlobalDeadlockDetector } from '../features/deadlock/global.ts';
import type { ExecutorShutdownPort } from '../features/shutdown/index.ts';
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
import { type Host, NODE_SPACE } from '../kernel/host.ts';
import { deadLetterLog, sharedGate } from '../kernel/log/dead-letters.ts';
import { warn } from '../kernel/log/logger.ts';
import { ActorRef } from '../kernel/ref.ts';
import { checkPortable } from '../kernel/snapshot.ts';
import { resolveSpawnOptions, type SpawnOptions } from '../kernel/spawn-options.ts';
import type { SystemStats } from '../kernel/stats.ts';
import { actorsModuleHref, type ResolvedOptions } from '../system/options.ts';
import { AdaptiveRunner, SAMPLE_MS } from './adaptive.ts';
import { EVENT_WINDOW } from './event-window.ts';
import { limitsStartError } from './fault-options.ts';
import {
  F_DEADLETTER,
  F_DL_ACT,
  F_DL_CONFIRM,
  F_DL_CONFIRMED,
  F_DL_EDGES,
  F_EVENT,
  F_FORWARDING,
  F_LOG,
  F_NAME,
  F_REQ,
} from './frames.ts';
import { ProcessLifetime } from './lifetime.ts';
import { ThreadLink } from './link.ts';
import {
  type ExecutorMetrics,
  type GroupMetrics,
  metricsFromBoard,
  type SchedulerMetrics,
} from './metrics.ts';
import { placeOrThrow } from './placement.ts';
import { Recovery } from './recovery.ts';
import { addRows } from './row-stats.ts';
import { executorShutdownPort } from './shutdown-port.ts';

export type { ExecutorMetrics, GroupMetrics, SchedulerMetrics };

/** Board rows kept for replacement executors. */
const REPLACEMENT_ROWS = 32;

/** Period of `executor.metrics` events while `events$` has subscribers, ms. */
const METRICS_EVENT_MS = 1000;

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
function tsxApi(actors: string | null): string | undefined {
  if (!TS_ENTRY && !isTs(actors)) return undefined;
  try {
    const pkg = createRequire(actors ?? import.meta.url).resolve('tsx/package.json');
    return pathToFileURL(join(dirname(pkg), 'dist/esm/api/index.mjs')).href;
  } catch {
    return undefined; // no tsx: rely on Node's own type stripping
  }
}

export class ThreadedRuntime {
  readonly link: ThreadLink;
  readonly board: Board;
  readonly topology: Topology;
  private readonly pool: ExecutorPool;
  private readonly placer: Placer;
  /** Who holds each name, system-wide; every executor claims in it (scheduler/names.ts). */
  readonly nameTable: NameTable;
  /** Ref objects for names (F_NAME frames, spawn replies): the table has ids, these the definitions. */
  readonly names = new Map<string, ActorRef>();
  private eventSubs = 0;
  private deadSubs = 0;
  private terminated: Promise<void> | null = null;
  private readonly lastUtil = new Map<number, { busy: number; at: number }>();
  /** Heartbeats, running records, transit ledger (scheduler/watchdog.ts). */
  readonly watchdogBoard: WatchdogBoard;
  private readonly watchdog: Watchdog | null;
  /** Lost executors into actor failures, accounting, replacement (recovery.ts). */
  readonly recovery: Recovery;
  /** Cycles across executors, over the edges they forward (features/deadlock/global.ts). */
  readonly deadlock: GlobalDeadlockDetector;
  /** Requests (spawn, publish, …) awaiting an executor's answer, by executor. */
  private readonly requests = new Map<number, Set<PendingAsk>>();
  /** Executors the watchdog terminated, until their exit arrives. */
  private readonly hung = new Map<number, { running: RunningRecord; silentMs: number }>();
  /** Replacements take fresh node numbers (ids born on a lost node are never reused). */
  private nextNode = 1;
  /** Executors retired by the adaptive pool (or leaving), or terminated at shutdown: their counters still count. */
  private readonly retired = new Set<number>();
  private adaptive: AdaptiveRunner | null = null;
  /** Holds the process while executors have work (lifetime.ts). */
  readonly lifetime: ProcessLifetime;

  /** Names of the definitions the actors module exports: all an executor can spawn (createSystem sets it). */
  moduleDefinitions: ReadonlySet<string> = new Set();

  private constructor(
    readonly host: Host,
    readonly options: ResolvedOptions,
    topology: Topology,
    board: Board,
  ) {
    this.topology = topology;
    this.board = board;
    this.link = new ThreadLink(host, board);
    this.link.activity = new Activity(board, 0);
    this.lifetime = new ProcessLifetime(board, host.lifetime);
    host.remote = this.link;
    this.nameTable = new NameTable({ node: 0, maxNames: options.scheduler.maxNames });
    host.nameTable = this.nameTable;
    this.placer = new Placer(board);
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
      replace: (group) => this.replace(group),
      forget: (isLost) => {
        this.nameTable.releaseWhere(isLost);
        for (const [name, ref] of this.names) if (isLost(ref.id)) this.names.delete(name);
      },
    });
    this.watchdog =
      faults.hangTimeoutMs === false
        ? null
        : new Watchdog(this.watchdogBoard, {
            hangTimeoutMs: faults.hangTimeoutMs,
            intervalMs: faults.watchdogIntervalMs,
            onHung: (node, running, silentMs) => this.onHung(node, running, silentMs),
          });
    const recovery = this.recovery;
    this.pool = new ExecutorPool({
      entry: ENTRY,
      tsx: tsxApi(actorsUrl(options.actors)),
      execArgv: executorExecArgv(options.scheduler.execArgv),
      resourceLimits: faults.resourceLimits,
      startupTimeoutMs: 60_000,
      data: {
        actors: actorsUrl(options.actors),
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
        watchdogBuffer: this.watchdogBoard.buffer,
        namesBuffer: this.nameTable.buffer,
        watchdog: faults.hangTimeoutMs !== false,
        // A getter: each start (replacements too) gets the breaker's list as of then.
        get quarantined() {
          return [...recovery.quarantined];
        },
      },
      onExit: (node, code, error) => this.lost(node, code, error),
    });
  }

  /** Reads the topology and starts the executors; a failed start is a ConfigError with the cause. */
  static async start(host: Host, options: ResolvedOptions): Promise<ThreadedRuntime> {
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
    if (log !== null)
      host.onDeadLetter = deadLetterLog(log, sharedGate(board, log), (l) => warn(options.logger, l));
    const rt = new ThreadedRuntime(host, options, topology, board);
    const groups = assignGroups(n, topology);
    rt.nextNode = Math.max(n, options.scheduler.maxExecutors ?? n) + 1;
    const started = await Promise.allSettled(groups.map((g, i) => rt.startOne(i + 1, g)));
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
      rt.adaptive = new AdaptiveRunner(
        new PoolPolicy(board, {
          min,
          max,
          idleTimeoutMs: sch.idleTimeoutMs,
          sustainMs: Math.max(3 * SAMPLE_MS, 2 * sch.tickMs),
          threshold: sch.stealThreshold,
        }),
        rt,
      );
    return rt;
  }

  /** Adaptive pool: one more executor, in the group that has the fewest for its size. */
  async grow(): Promise<number> {
    const live = this.board.executors();
    const groups = assignGroups(live.length + 1, this.topology);
    const node = await this.replace(groups[groups.length - 1]!);
    this.host.emit({
      type: 'executor.started',
      at: this.host.clock.now(),
      executor: node,
      reason: 'backlog',
    });
    return node;
  }

  /** Adaptive pool: vacates and retires `node` (protocol in adaptive.ts); false when it must stay. */
  async retire(node: number): Promise<boolean> {
    const others = this.board.executors().filter((n) => n !== node);
    if (others.length === 0 || !this.host.accepting) return false;
    this.board.set(node, SLOT.alive, 2); // leaving: no placements, not a victim
    this.retired.add(node);
    let verdict: { empty: boolean } = { empty: false };
    for (let i = 0; i < 10 && !verdict.empty; i++) {
      verdict = await this.request<{ empty: boolean }>(node, 'vacate', [others], 2000).catch(() => ({
        empty: false,
      }));
      if (!verdict.empty) await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
    if (!verdict.empty || !this.host.accepting) {
      this.retired.delete(node);
      this.board.set(node, SLOT.alive, 1);
      await this.request(node, 'unvacate', [], 2000).catch(() => {});
      return false;
    }
    await this.request(node, 'publish', [], 2000).catch(() => {});
    this.board.set(node, SLOT.alive, 0);
    this.watchdog?.unwatch(node);
    await this.pool.retire(node);
    this.link.disconnect(node);
    // Its thread is gone: what still waits for its answer (a sync) settles now, not at its timeout.
    const reqs = this.requests.get(node);
    this.requests.delete(node);
    for (const a of reqs ?? [])
      a.reject(new ActorStoppedError({ id: 0, def: `executor ${node}` }, 'retired'));
    this.host.emit({ type: 'executor.retired', at: this.host.clock.now(), executor: node, reason: 'idle' });
    return true;
  }

  private async startOne(node: number, group: number): Promise<void> {
    const h = await this.pool.start(node, group);
    this.link.connect(node, h.port);
    h.port.unref();
    // Executors do not hold the process by existing: pending work does (lifetime.ts).
    h.worker.unref();
    this.lifetime.watch(this.link.channels.get(node)!);
    this.forwarding(node);
    this.watchdog?.watch(node);
  }

  /** Watchdog verdict: record what was running, terminate the thread; its exit starts recovery. */
  private onHung(node: number, running: RunningRecord, silentMs: number): void {
    const h = this.pool.executors.get(node);
    // During shutdown the coordinator deals with hung executors (kill, then terminate).
    if (h === undefined || !this.host.accepting) return;
    this.hung.set(node, { running, silentMs });
    void h.worker.terminate();
  }

  /** Recovery step 6: a fresh executor in `group`. */
  private async replace(group: number): Promise<number> {
    const node = this.nextNode++;
    if (node >= this.board.nodes)
      throw new ConfigError('executor replacement', `a free executor slot (< ${this.board.nodes})`, node);
    this.watchdogBoard.reset(node);
    await this.startOne(node, group);
    // Shutdown began while it was starting: no thread may outlive terminateExecutors().
    if (this.terminated !== null) {
      await this.pool.retire(node);
      this.board.set(node, SLOT.alive, 0);
      throw new ShutdownError('executor replacement');
    }
    return node;
  }

  private lost(node: number, code: number, error: unknown): void {
    // Its thread is gone: a name-table lock it held would block every thread (names.ts).
    this.nameTable.breakLock(node);
    this.link.disconnect(node);
    this.deadlock.lost(node);
    this.board.set(node, SLOT.alive, 0);
    this.watchdog?.unwatch(node);
    // Recovery accounts for its counters from now on (a node lost while vacating must not count twice).
    this.retired.delete(node);
    const hung = this.hung.get(node);
    this.hung.delete(node);
    const reqs = this.requests.get(node);
    this.requests.delete(node);
    const reason = hung !== undefined ? 'executor-hung' : 'executor-crashed';
    for (const a of reqs ?? []) a.reject(new ActorStoppedError({ id: 0, def: `executor ${node}` }, reason));
    void this.recovery.lost(
      node,
      hung !== undefined ? 'hung' : 'crashed',
      hung?.running ?? this.watchdogBoard.running(node),
      hung !== undefined
        ? { silentMs: hung.silentMs }
        : { code, ...(error === undefined ? {} : { error: String(error) }) },
    );
    this.host.emit({
      type: 'executor.exited',
      at: this.host.clock.now(),
      executor: node,
      code,
      error: error === undefined ? undefined : String(error),
    });
  }

  // ---- system operations ---------------------------------------------------

  /** Sends a request to an executor and resolves with its answer. */
  request<T>(node: number, op: string, args: unknown[], timeoutMs = this.options.askTimeoutMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Requests to an executor that is lost are rejected at once (lost()), not at their timeout.
      let pending = this.requests.get(node);
      if (pending === undefined) this.requests.set(node, (pending = new Set()));
      const a: PendingAsk = new PendingAsk(resolve, reject, undefined, this.host.timers, () =>
        pending.delete(a),
      );
      pending.add(a);
      a.timer = this.host.timers.setTimeout(
        () =>
          a.reject(new ConfigError(`executor ${node}`, `an answer to ${op} within ${timeoutMs} ms`, 'none')),
        timeoutMs,
      );
      const askId = this.host.exportAsk(a);
      try {
        this.link.send(node, [F_REQ, askId, op, ...args]);
      } catch (e) {
        a.reject(e);
      }
    });
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
    let askId = 0;
    const promise = new Promise<T>((resolve, reject) => {
      let pending = this.requests.get(node);
      if (pending === undefined) this.requests.set(node, (pending = new Set()));
      const a: PendingAsk = new PendingAsk(resolve, reject, undefined, this.host.clock, () =>
        pending.delete(a),
      );
      pending.add(a);
      askId = this.host.exportAsk(a);
    });
    return { askId, promise };
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
    const ref = await this.request<ActorRef>(target, 'spawn', [
      def.name,
      props,
      Object.keys(rest).length ? rest : null,
    ]);
    if (ref.name !== undefined) this.names.set(ref.name, ref);
    return ref;
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
    const t = addRows(this.board, [...this.board.executors(), ...this.retired], {
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
  async sync(): Promise<void> {
    // A replacement not connected yet has nothing to publish; an executor lost meanwhile has its
    // counters accounted by recovery (step 1), one retired meanwhile published before it went:
    // none is a reason for syncStats to fail.
    const leaving = [...this.retired].filter((n) => this.board.get(n, SLOT.alive) === 2);
    const threads = [...this.board.executors(), ...leaving].filter((n) => this.link.channels.has(n));
    await Promise.all(
      threads.map((n) =>
        this.request(n, 'publish', []).catch((e: unknown) => {
          if (this.link.channels.has(n)) throw e;
        }),
      ),
    );
  }

  metrics(): SchedulerMetrics {
    const m = {
      ...metricsFromBoard(this.board, this.pool.executors, this.lastUtil, performance.now()),
      faults: this.recovery.counts(),
    };
    this.host.emit({ type: 'executor.metrics', at: this.host.clock.now(), metrics: m });
    return m;
  }

  // ---- events and dead letters from every executor -------------------------

  get events$(): Observable<AnyTroupeEvent> {
    return new Observable<AnyTroupeEvent>((sub) => {
      const s = this.host.events.events$.subscribe(sub);
      if (this.eventSubs++ === 0) this.forwardingAll();
      return () => {
        s.unsubscribe();
        if (--this.eventSubs === 0) this.forwardingAll();
      };
    });
  }

  get deadLetters$(): Observable<DeadLetter> {
    return new Observable<DeadLetter>((sub) => {
      const s = this.host.deadLetters.subscribe(sub);
      if (this.deadSubs++ === 0) this.forwardingAll();
      return () => {
        s.unsubscribe();
        if (--this.deadSubs === 0) this.forwardingAll();
      };
    });
  }

  private forwardingAll(): void {
    for (const n of this.board.executors()) this.forwarding(n);
    // While someone listens, scheduler metrics are also an event stream (own utilization window).
    if (this.eventSubs > 0 && this.metricsTimer === null) {
      const last = new Map<number, { busy: number; at: number }>();
      this.metricsTimer = setInterval(() => {
        const metrics = metricsFromBoard(this.board, this.pool.executors, last, performance.now());
        this.host.emit({ type: 'executor.metrics', at: this.host.clock.now(), metrics });
        this.reportDroppedEvents(metrics);
      }, METRICS_EVENT_MS);
      this.metricsTimer.unref();
    } else if (this.eventSubs === 0 && this.metricsTimer !== null) {
      clearInterval(this.metricsTimer);
      this.metricsTimer = null;
    }
  }

  private metricsTimer: ReturnType<typeof setInterval> | null = null;
  /** Per executor, the dropped-event count last reported by `executor.events-dropped`. */
  private readonly droppedReported = new Map<number, number>();

  /** Events an executor dropped behind a slow subscriber (event-window.ts) are reported, once each. */
  private reportDroppedEvents(m: SchedulerMetrics): void {
    for (const e of m.executors) {
      const before = this.droppedReported.get(e.id) ?? 0;
      if (e.eventsDropped <= before) continue;
      this.droppedReported.set(e.id, e.eventsDropped);
      this.host.emit({
        type: 'executor.events-dropped',
        at: this.host.clock.now(),
        executor: e.id,
        dropped: e.eventsDropped - before,
        total: e.eventsDropped,
        window: EVENT_WINDOW,
      });
    }
  }

  private forwarding(node: number): void {
    if (this.link.channels.has(node))
      this.link.send(node, [F_FORWARDING, this.eventSubs > 0, this.deadSubs > 0]);
  }

  /** Deadlock frames to an executor that is gone: a probe to it fails (its edges went with it). */
  private sendIfConnected(node: number, frame: unknown[], probe?: number): void {
    if (this.link.channels.has(node)) this.link.send(node, frame);
    else if (probe !== undefined) queueMicrotask(() => this.deadlock.confirmed(probe, false));
  }

  private control(from: number, f: unknown[]): void {
    switch (f[0]) {
      case F_EVENT:
        // Out of the port: room in `from`'s event window (event-window.ts), whatever the subscribers do.
        this.board.add(from, SLOT.eventsRead);
        this.host.emit(f[1] as AnyTroupeEvent);
        return;
      case F_DEADLETTER:
        this.host.deadLetters.next(f[1] as DeadLetter);
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

  /** The shutdown coordinator's view of the executors (shutdown-port.ts). */
  shutdownPort(): ExecutorShutdownPort {
    return executorShutdownPort({
      board: this.board,
      definitions: this.host.definitions,
      closeIntake: () => {
        this.host.accepting = false;
      },
      request: (n, op, args, ms) => this.request(n, op, args, ms),
      stop: (ref) => this.stop(ref),
      running: (n) => this.watchdogBoard.running(n),
      terminate: async (n, reason) => {
        this.recovery.account(n, reason === 'shutdown' ? 'shutdown' : 'executor-lost');
        this.watchdog?.unwatch(n);
        await this.pool.retire(n);
        this.nameTable.breakLock(n);
        this.board.set(n, SLOT.alive, 0);
      },
      terminateAll: () => this.terminateExecutors(),
    });
  }

  /**
   * Terminates every executor thread and closes the main thread's channels;
   * resolves once no worker thread runs. Idempotent. Shutdown phase 6 calls it.
   */
  terminateExecutors(): Promise<void> {
    this.terminated ??= (async () => {
      this.adaptive?.stop();
      if (this.metricsTimer !== null) clearInterval(this.metricsTimer);
      this.lifetime.stop();
      this.watchdog?.stop();
      for (const n of this.board.executors()) {
        // Its counters outlive its thread: stats() after shutdown says what the report says.
        this.retired.add(n);
        this.board.set(n, SLOT.alive, 0);
      }
      await this.pool.terminate();
      // A thread terminated inside a name claim must not leave lookup() spinning on its lock.
      for (let n = 1; n < this.board.nodes; n++) this.nameTable.breakLock(n);
      this.link.close();
    })();
    return this.terminated;
  }
}

function actorsUrl(actors: ResolvedOptions['actors']): string | null {
  if (actors === undefined) return null;
  if (actors instanceof URL || typeof actors === 'string') return actorsModuleHref(actors);
  throw new ConfigError(
    'options.actors',
    'a URL or path of a module (executors import it; a module object cannot cross threads)',
    'an object',
  );
}
