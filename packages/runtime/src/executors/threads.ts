/**
 * The executor threads' lives, on the main thread: start, hang verdict,
 * loss, replacement, retirement, termination.
 *
 * 1. Start: the pool starts a thread (launch.ts); the main thread connects
 *    to it, unrefs it (pending work holds the process, scheduler lifetime.ts), tells
 *    it what to forward and the watchdog watches it.
 * 2. Hang: the watchdog's verdict records what was running and terminates
 *    the thread (not during shutdown: the coordinator deals with it then);
 *    its exit is a loss.
 * 3. Loss (any exit the main thread did not ask for): the name-table lock it
 *    held is broken, its channel and deadlock edges dropped, what waits for
 *    its answer rejected at once, `executor.exited` reported and recovery
 *    runs (recovery.ts), which may start a replacement (a fresh node).
 * 4. Retirement (adaptive.ts) and shutdown's terminations end a thread on
 *    purpose: its counters stay in `stats()` (`retired`).
 * 5. `terminateAll` leaves no thread running; idempotent, and a replacement
 *    that was starting meanwhile is retired as soon as it is up.
 */
import {
  type Board,
  type ExecutorHandle,
  type ExecutorPool,
  type NameTable,
  type PoolPolicy,
  type ProcessLifetime,
  type RunningRecord,
  SLOT,
  type Topology,
  Watchdog,
  type WatchdogBoard,
} from '@troupe/scheduler';
import type { GlobalDeadlockDetector } from '../features/deadlock/global.ts';
import { ActorStoppedError, ConfigError, ShutdownError } from '../kernel/errors.ts';
import type { Host } from '../kernel/host.ts';
import { AdaptiveRunner } from './adaptive.ts';
import { executorPool, type ThreadedConfig } from './launch.ts';
import type { ThreadLink } from './link.ts';
import type { Recovery } from './recovery.ts';
import type { ExecutorRequests } from './requests.ts';

/** The threaded runtime's parts a thread's life touches (runtime.ts builds them). */
export interface ThreadParts {
  readonly host: Host;
  readonly board: Board;
  readonly topology: Topology;
  readonly link: ThreadLink;
  readonly nameTable: NameTable;
  readonly watchdogBoard: WatchdogBoard;
  readonly lifetime: ProcessLifetime;
  readonly requests: ExecutorRequests;
  readonly recovery: Recovery;
  readonly deadlock: GlobalDeadlockDetector;
  /** Step 1: tells a connected executor what to forward (forwarding.ts). */
  connected(node: number): void;
  /** Step 5: the runtime's own timers stop before the threads (forwarding.ts metrics events). */
  stopping(): void;
}

export class ExecutorThreads {
  private readonly pool: ExecutorPool;
  private readonly watchdog: Watchdog | null;
  /** Executors the watchdog terminated, until their exit arrives. */
  private readonly hung = new Map<number, { running: RunningRecord; silentMs: number }>();
  /** Replacements take fresh node numbers (ids born on a lost node are never reused). */
  nextNode = 1;
  /** Executors retired by the adaptive pool (or leaving), or terminated at shutdown: their counters still count. */
  readonly retired = new Set<number>();
  private adaptive: AdaptiveRunner | null = null;
  private terminated: Promise<void> | null = null;

  constructor(
    private readonly parts: ThreadParts,
    options: ThreadedConfig,
  ) {
    const { recovery } = parts;
    const faults = options.scheduler.faults;
    this.watchdog =
      faults.hangTimeoutMs === false
        ? null
        : new Watchdog(parts.watchdogBoard, {
            hangTimeoutMs: faults.hangTimeoutMs,
            intervalMs: faults.watchdogIntervalMs,
            onHung: (node, running, silentMs) => this.onHung(node, running, silentMs),
          });
    this.pool = executorPool(
      options,
      {
        board: parts.board,
        watchdogBoard: parts.watchdogBoard,
        nameTable: parts.nameTable,
        quarantined: () => [...recovery.quarantined],
      },
      (node, code, error) => this.lost(node, code, error),
    );
  }

  /** The running threads, by node (metrics read their thread ids). */
  get handles(): ReadonlyMap<number, ExecutorHandle> {
    return this.pool.executors;
  }

  /** Step 1. */
  async start(node: number, group: number): Promise<void> {
    const { link } = this.parts;
    const h = await this.pool.start(node, group);
    link.connect(node, h.port);
    h.port.unref();
    // Executors do not hold the process by existing: pending work does (lifetime.ts).
    h.worker.unref();
    this.parts.lifetime.watch(link.channels.get(node)!);
    this.parts.connected(node);
    this.watchdog?.watch(node);
  }

  /** The adaptive pool grows and retires executors by `policy` (adaptive.ts) until terminateAll. */
  adapt(policy: PoolPolicy): void {
    const { host, board, topology, requests } = this.parts;
    this.adaptive = new AdaptiveRunner(policy, {
      host,
      board,
      topology,
      retired: this.retired,
      request: (node, op, args, ms) => requests.request(node, op, args, ms),
      replace: (group) => this.replace(group),
      end: (node, error) => this.end(node, error),
    });
  }

  /** Step 2: record what was running, terminate the thread; its exit starts recovery. */
  private onHung(node: number, running: RunningRecord, silentMs: number): void {
    const h = this.pool.executors.get(node);
    // During shutdown the coordinator deals with hung executors (kill, then terminate).
    if (h === undefined || !this.parts.host.accepting) return;
    this.hung.set(node, { running, silentMs });
    void h.worker.terminate();
  }

  /** Recovery step 6 and the adaptive pool's growth: a fresh executor in `group`. */
  async replace(group: number): Promise<number> {
    const { board } = this.parts;
    const node = this.nextNode++;
    if (node >= board.nodes)
      throw new ConfigError('executor replacement', `a free executor slot (< ${board.nodes})`, node);
    this.parts.watchdogBoard.reset(node);
    await this.start(node, group);
    // Shutdown began while it was starting: no thread may outlive terminateAll().
    if (this.terminated !== null) {
      await this.pool.retire(node);
      board.set(node, SLOT.alive, 0);
      throw new ShutdownError('executor replacement');
    }
    return node;
  }

  /** Step 3. */
  private lost(node: number, code: number, error: unknown): void {
    const { host, link, board } = this.parts;
    // Its thread is gone: a name-table lock it held would block every thread (names.ts).
    this.parts.nameTable.breakLock(node);
    link.disconnect(node);
    this.parts.deadlock.lost(node);
    board.set(node, SLOT.alive, 0);
    this.watchdog?.unwatch(node);
    // Recovery accounts for its counters from now on (a node lost while vacating must not count twice).
    this.retired.delete(node);
    const hung = this.hung.get(node);
    this.hung.delete(node);
    const reason = hung !== undefined ? 'executor-hung' : 'executor-crashed';
    this.parts.requests.fail(node, () => new ActorStoppedError({ id: 0, def: `executor ${node}` }, reason));
    void this.parts.recovery.lost(
      node,
      hung !== undefined ? 'hung' : 'crashed',
      hung?.running ?? this.parts.watchdogBoard.running(node),
      hung !== undefined
        ? { silentMs: hung.silentMs }
        : { code, ...(error === undefined ? {} : { error: String(error) }) },
    );
    host.emit({
      type: 'executor.exited',
      at: host.clock.now(),
      executor: node,
      code,
      error: error === undefined ? undefined : String(error),
    });
  }

  /** Step 4, a retirement (adaptive.ts step 3): `node` is empty; its thread ends. */
  private async end(node: number, error: () => unknown): Promise<void> {
    this.watchdog?.unwatch(node);
    await this.pool.retire(node);
    this.parts.link.disconnect(node);
    this.parts.requests.fail(node, error);
  }

  /**
   * Step 4, shutdown's termination of an executor that would not answer (shutdown-port.ts): its
   * counters stay, what it held is dead-lettered with `reason`.
   */
  async terminate(node: number, reason: string): Promise<void> {
    this.parts.recovery.account(node, reason === 'shutdown' ? 'shutdown' : 'executor-lost');
    this.watchdog?.unwatch(node);
    await this.pool.retire(node);
    this.parts.nameTable.breakLock(node);
    this.parts.board.set(node, SLOT.alive, 0);
  }

  /** Step 5: resolves once no worker thread runs. */
  terminateAll(): Promise<void> {
    this.terminated ??= (async () => {
      const { board, nameTable } = this.parts;
      this.adaptive?.stop();
      this.parts.stopping();
      this.parts.lifetime.stop();
      this.watchdog?.stop();
      for (const n of board.executors()) {
        // Its counters outlive its thread: stats() after shutdown says what the report says.
        this.retired.add(n);
        board.set(n, SLOT.alive, 0);
      }
      await this.pool.terminate();
      // A thread terminated inside a name claim must not leave lookup() spinning on its lock.
      for (let n = 1; n < board.nodes; n++) nameTable.breakLock(n);
      this.parts.link.close();
    })();
    return this.terminated;
  }
}
