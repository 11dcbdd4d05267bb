/**
 * ExecutorLoop: what an executor thread does around its units' turns — the
 * tick, both sides of stealing, compaction, spin-then-park, the watchdog
 * probe, the doorbell and the counters on its board row — over any unit of
 * work (unit.ts). The runtime plugs its actor cells in through `LoopHost`
 * (which units may move, how one moves, what to publish besides) and its
 * ThreadLink through `LoopLink` (the ports); it boots the thread and serves
 * its own requests.
 *
 * Around a drain (hooks on the run queue, set by `attach`):
 * 1. Before each turn (`probe`): the queue depth goes to the board, so
 *    thieves see a backlog while the drain that works on it runs; with the
 *    watchdog on, a beat and the running record (unit, kind, what it runs
 *    next: what the main thread reads when this thread hangs). Per turn,
 *    never per work item.
 * 2. Between turns, read the clock every turn (`checkMask` 0, unless turns
 *    are too short to time): a timed turn teaches the cost per work item of
 *    its unit's kind (`MessageCost`, stealing step 6). From INBOX_WAIT_MS
 *    into a drain, a batch posted here is read in place, one at a time, while
 *    the board counts more posted than read (no yield: a yielded drain lets
 *    every batch that arrives meanwhile run before its ready units); batches
 *    out leave every BATCH_WAIT_MS; busy time is published every
 *    BUSY_PUBLISH_MS (peers that read only finished drains saw a saturated
 *    executor as half idle in their compaction window).
 * 3. A ring of the doorbell (a steal request, a migration step) ends the
 *    drain at its next check; the port's frames run before the next drain.
 * 4. A drain that runs dry publishes `idleAt`, tells the watchdog, and, if
 *    it posted batches, spins up to `idleSpinMs` on the board's count of
 *    batches posted here before it parks (an answer often comes within
 *    microseconds; a parked thread takes ~50 µs to wake). The spin runs as a
 *    microtask after the drain and its flushes, so it is not busy time.
 *
 * On each tick (`tickMs`):
 * 5. Heartbeat and publish; an empty run queue marks the node idle
 *    (activity.ts step 4).
 * 6. Unless retiring: a steal request (stealing.ts steps 1–5; units arriving
 *    here count as work, so no request while a granted steal is in flight),
 *    posted with the doorbell rung; else compaction (compaction.ts steps 1–3).
 *
 * Victim side (`give`, stealing step 6): up to half of the ready movable
 * units worth a migration, newest first among the STEAL_SCAN newest ready
 * entries, at most MAX_STEAL; a unit whose move throws stays and is never
 * offered again (`refused`).
 */
import { threadId } from 'node:worker_threads';
import type { Activity } from './activity.ts';
import { type Board, BUSY_PUBLISH_MS, INBOX_WAIT_MS, SLOT, wallNow } from './board.ts';
import { F_STEAL, F_STEAL_REPLY } from './codes.ts';
import { type CompactionRule, Compactor } from './compaction.ts';
import type { RunQueue } from './run-queue.ts';
import {
  MAX_STEAL,
  MessageCost,
  STEAL_SCAN,
  type StealConfig,
  StealController,
  type StealRequest,
  stealCount,
  worthMoving,
} from './stealing.ts';
import { BATCH_WAIT_MS } from './transport.ts';
import type { Unit, UnitKind } from './unit.ts';
import type { WatchdogBoard } from './watchdog.ts';

/** The ports between threads, as the loop drives them (the runtime's ThreadLink). */
export interface LoopLink {
  /** Batches taken from the ports so far: fewer than the board's `posts` for this node means some wait unread. */
  readonly batchesIn: number;
  /** Time spent taking inbound batches apart, ms: busy time outside drains. */
  readonly receiveMs: number;
  /** Batches posted to other nodes so far. */
  batchesOut(): number;
  /** Posts every batch being filled now. */
  flushAll(): void;
  /** Handles one batch waiting in a port, in place; true when there was one. */
  pump(): boolean;
  /** Sends a frame ([code, ...fields]) to `node`. */
  send(node: number, frame: unknown[]): void;
  /** `send`, and ring `node`'s doorbell once the batch is posted. */
  sendUrgent(node: number, frame: unknown[]): void;
}

/** Why the loop moves a unit. */
export type LoopMove = 'steal' | 'compaction';

/** What the runtime plugs in: its units and the rules of moving them. */
export interface LoopHost<U extends Unit> {
  /** Every unit hosted here (compaction looks at all of them, ready or not). */
  units(): Iterable<U>;
  /** Units on their way here (a steal granted, its handshake open): work this executor has. */
  arriving(): number;
  /** Whether any unit may move now (false once shutdown closed intake: units stay where they are looked for). */
  accepting(): boolean;
  /** Whether `u` may move now, by the runtime's rules (alive, not in a turn, not pinned, …). */
  movable(u: U): boolean;
  /** Moves `u` to executor `to`; throws when it cannot (it then stays, and is not offered again). */
  moveTo(u: U, to: number, why: LoopMove): void;
  /** Work items completed so far (a timed turn's items are this count's step). */
  completed(): number;
  /** What `u` runs next, for the watchdog's running record (an actor: its next message's type). */
  label(u: U): string;
  /** The runtime's counters to the board row, after the loop's own. */
  publish(): void;
  /** `u` could not move to `to`. */
  refused(u: U, to: number, error: unknown): void;
  /** A steal this executor asked for handed over `units`. */
  stole(req: StealRequest, units: number): void;
  /** Compaction moved `units` of this executor's onto `to`. */
  gathered(to: number, units: number, rule: CompactionRule): void;
}

export interface LoopConfig {
  readonly node: number;
  readonly group: number;
  readonly board: Board;
  readonly activity: Activity;
  /** Heartbeats, the running record and the transit ledger (watchdog.ts). */
  readonly watchdog: WatchdogBoard;
  /** The main thread watches heartbeats: beat and record every turn (else only per tick). */
  readonly watchTurns: boolean;
  readonly steal: StealConfig;
  /** Gather chatty units onto one executor (compaction.ts). */
  readonly compaction: boolean;
  /** Spin-then-park after a drain that posted, ms; 0 parks at once. */
  readonly idleSpinMs: number;
  readonly tickMs: number;
  /** Wall-clock ms, comparable across threads (default `wallNow`; tests inject one). */
  readonly now?: () => number;
}

export class ExecutorLoop<U extends Unit> {
  /** Vacating for retirement (the adaptive pool): requests no steal, gathers nothing. */
  retiring = false;
  readonly steal: StealController;
  private readonly compactor: Compactor;
  /** Cost per work item by kind, from timed turns. */
  private readonly cost = new MessageCost<UnitKind>();
  /** Units whose move threw (state that cannot be encoded): never offered again. */
  private readonly stuck = new WeakSet<U>();
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly queue: RunQueue<U>,
    private readonly link: LoopLink,
    private readonly host: LoopHost<U>,
    private readonly config: LoopConfig,
  ) {
    this.now = config.now ?? wallNow;
    this.steal = new StealController(config.node, config.board, config.steal);
    this.compactor = new Compactor(config.node, config.board, (from, to) => config.watchdog.sent(from, to));
    this.attach();
  }

  /** Steps 1–4: the run queue's hooks. */
  private attach(): void {
    const { node, board, watchdog: wd, idleSpinMs } = this.config;
    const queue = this.queue;
    const link = this.link;
    const host = this.host;
    const now = this.now;
    // Step 4. Polls the board's count of batches posted here (no syscall) for idleSpinMs.
    let postedOut = 0;
    const spin = (): void => {
      link.flushAll();
      const out = link.batchesOut();
      if (out === postedOut) return;
      postedOut = out;
      const until = performance.now() + idleSpinMs;
      do if (board.posts(node) > link.batchesIn && link.pump()) return;
      while (performance.now() < until);
    };
    const idle = (): void => {
      board.set(node, SLOT.idleAt, now());
      if (idleSpinMs > 0) queueMicrotask(spin);
    };
    // Step 1.
    queue.probe = this.config.watchTurns
      ? (u) => {
          board.set(node, SLOT.queueDepth, queue.depth);
          if (u === null) {
            wd.idle(node);
            idle();
          } else wd.turn(node, u.id, u.kind.name, host.label(u));
        }
      : (u) => {
          board.set(node, SLOT.queueDepth, queue.depth);
          if (u === null) idle();
        };
    // Step 2. A turn's items: the completed count's step.
    const cost = this.cost;
    let doneAt = host.completed();
    queue.timed = (u, ms) => {
      const done = host.completed();
      cost.add(u.kind, ms, done - doneAt);
      doneAt = done;
    };
    queue.checkMask = 0;
    let flushedAt = 0;
    let busyAt = 0;
    queue.midDrain = (elapsed, at) => {
      if (elapsed >= INBOX_WAIT_MS && board.posts(node) > link.batchesIn) link.pump();
      if (elapsed >= BATCH_WAIT_MS && at - flushedAt >= BATCH_WAIT_MS) {
        flushedAt = at;
        link.flushAll();
      }
      if (at - busyAt >= BUSY_PUBLISH_MS) {
        busyAt = at;
        board.set(node, SLOT.busyMs, queue.busyMs + elapsed);
      }
    };
    // Step 3.
    let rung = board.bell(node);
    queue.urgent = () => board.bell(node) !== rung;
    queue.heard = () => {
      rung = board.bell(node);
    };
  }

  /** The board row: the loop's counters, then the runtime's. */
  readonly publish = (): void => {
    const { node, board } = this.config;
    const queue = this.queue;
    board.set(node, SLOT.queueDepth, queue.depth);
    board.set(node, SLOT.tasksCompleted, queue.turns);
    board.set(node, SLOT.busyMs, queue.busyNow());
    this.host.publish();
  };

  /**
   * After each inbound batch: published before the drain the batch armed, so
   * thieves see this backlog while it is worked on, and again once that drain
   * is done, so an idle executor does not look busy until the next tick.
   */
  readonly afterBatch = (): void => {
    this.publish();
    queueMicrotask(this.publish);
  };

  /** Opens the board row and starts the tick: the node runs from now on. */
  start(): void {
    this.open();
    const timer = setInterval(() => this.tick(), this.config.tickMs);
    timer.unref();
    this.timer = timer;
  }

  /** Opens the board row: placement, thieves and `stats()` see this node from now on (`start` ticks too). */
  open(): void {
    const { node, group, board } = this.config;
    board.set(node, SLOT.group, group);
    board.set(node, SLOT.threadId, threadId);
    board.set(node, SLOT.startedAt, this.now());
    board.set(node, SLOT.idleAt, this.now());
    this.publish();
    board.set(node, SLOT.alive, 1);
  }

  /** Stops the tick (the thread ends with its executor anyway; tests stop loops they drive). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Steps 5–6. */
  tick(): void {
    const { node, activity } = this.config;
    const queue = this.queue;
    this.config.watchdog.beat(node);
    this.publish();
    if (queue.depth === 0) activity.idle();
    // Units arriving here (a steal granted, not yet fenced) are work this executor has: no new request.
    const req = this.retiring
      ? null
      : this.steal.poll(queue.depth + this.host.arriving(), this.now(), queue.busyMs + this.link.receiveMs);
    if (req !== null) {
      activity.active();
      this.link.sendUrgent(req.victim, [F_STEAL, req.cross]);
    } else if (this.config.compaction && !this.retiring) {
      const to = this.compactor.poll(this.now(), queue.busyMs);
      if (to > 0) activity.active();
      const moved = to > 0 ? this.gather(to) : 0;
      if (moved > 0) {
        this.steal.gathered(to, this.now());
        this.host.gathered(to, moved, this.compactor.rule);
      }
    }
  }

  /** The stealing frames (F_STEAL, F_STEAL_REPLY): true when `frame` was one. */
  control(from: number, frame: unknown[]): boolean {
    switch (frame[0]) {
      case F_STEAL: {
        const n = this.give(from);
        this.link.send(from, [F_STEAL_REPLY, n]);
        this.publish();
        return true;
      }
      case F_STEAL_REPLY: {
        const req = this.steal.outstanding;
        const n = frame[1] as number;
        this.steal.reply(n, this.now());
        if (req !== null && n > 0) this.host.stole(req, n);
        return true;
      }
      default:
        return false;
    }
  }

  /** `node` left the pool: a steal request to it will never be answered. */
  disconnected(node: number): void {
    if (this.steal.outstanding?.victim === node) this.steal.abandon(this.now());
  }

  /** Stealing step 6, on the victim: the units handed over to `thief`. */
  give(thief: number): number {
    const host = this.host;
    // Shutdown phase 1 closed intake: no unit moves any more, so later phases find every one where they look.
    if (!host.accepting()) return 0;
    const threshold = this.config.steal.stealThreshold;
    const stuck = this.stuck;
    const cost = this.cost;
    const ready = this.queue.newestReady(
      (u) => host.movable(u) && !stuck.has(u) && worthMoving(u.pending, cost.of(u.kind)),
      Math.max(2 * MAX_STEAL, threshold),
      STEAL_SCAN,
    );
    const k = stealCount(ready.length, threshold);
    let given = 0;
    for (let i = 0; i < ready.length && given < k; i++) {
      if (this.move(ready[i]!, thief, 'steal')) given++;
    }
    return given;
  }

  /** Compaction step 3: up to MAX_STEAL of this executor's units move to `to`. */
  gather(to: number): number {
    const host = this.host;
    if (!host.accepting()) return 0;
    let moved = 0;
    for (const u of host.units()) {
      if (moved >= MAX_STEAL) break;
      if (!host.movable(u) || this.stuck.has(u)) continue;
      // A backlog worth a steal stays: stealing would move it back (Fork-Join throughput swapped
      // 30 workers with ~10k queued messages each way in every run).
      if (worthMoving(u.pending, this.cost.of(u.kind))) continue;
      if (this.move(u, to, 'compaction')) moved++;
    }
    return moved;
  }

  private move(u: U, to: number, why: LoopMove): boolean {
    try {
      this.host.moveTo(u, to, why);
      return true;
    } catch (e) {
      this.stuck.add(u);
      this.host.refused(u, to, e);
      return false;
    }
  }
}
