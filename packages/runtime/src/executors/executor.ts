/**
 * Executor entry: the module every worker thread runs. It imports the user's
 * actor module, builds a Host for its node, connects to every other node and
 * then serves frames: routing (link.ts), spawn/shutdown requests from the
 * main thread, steal requests from other executors, and — while the main
 * thread has subscribers — forwards events and dead letters in batches.
 *
 * Invariants: a failure to start is posted as `{ type: 'failed', error }`
 * (the pool reports it with the cause and does not respawn); the executor
 * writes only its own board row; it publishes its counters after every
 * inbound batch and on every tick, so `stats()` on the main thread is at
 * most one tick behind.
 */

import { type MessagePort, parentPort, threadId, workerData } from 'node:worker_threads';
import {
  Activity,
  BATCH_WAIT_MS,
  Board,
  BUSY_PUBLISH_MS,
  Compactor,
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
  F_STEAL,
  F_STEAL_REPLY,
  INBOX_WAIT_MS,
  MAX_STEAL,
  MessageCost,
  NameTable,
  Placer,
  REQ_DROP,
  REQ_INTAKE,
  REQ_KILL,
  REQ_KILL_ACTOR,
  REQ_LOST,
  REQ_LOST_ACTORS,
  REQ_PUBLISH,
  REQ_QUARANTINE,
  REQ_ROOTS,
  REQ_SPAWN,
  REQ_START_TREE,
  REQ_UNVACATE,
  REQ_VACATE,
  SLOT,
  STEAL_SCAN,
  StealController,
  stealCount,
  WatchdogBoard,
  wallNow,
  worthMoving,
} from '@troupe/scheduler';
import type { Subscription } from 'rxjs';
import { EdgeForwarder } from '../features/deadlock/forwarder.ts';
import type { ResolvedDeadlockOptions } from '../features/deadlock/options.ts';
import type { DeadlockAction } from '../features/deadlock/strategies.ts';
import { type KilledActor, ownsChildStop, shutdownMsOf } from '../features/shutdown/stop-node.ts';
import { type ActorCell, ALIVE } from '../kernel/cell.ts';
import { systemClock } from '../kernel/clock.ts';
import { definitionsOf } from '../kernel/definition.ts';
import { ConfigError, type DeadlockCycleEntry, EXECUTORS_KNOW, UnknownActorError } from '../kernel/errors.ts';
import { type EventOptions, messageType } from '../kernel/events.ts';
import { Host } from '../kernel/host.ts';
import { Lifetime } from '../kernel/lifetime.ts';
import { type DeadLetterLogOptions, deadLetterLog, sharedGate } from '../kernel/log/dead-letters.ts';
import type { ResolvedMailbox } from '../kernel/mailbox.ts';
import { portableRecord } from './errors-wire.ts';
import { EventWindow } from './event-window.ts';
import { executorPlugin } from './executor-plugin.ts';
import { ThreadLink } from './link.ts';
import { immovable } from './links.ts';
import { placeOrThrow } from './placement.ts';
import { deadLetterLogPlugin, featurePlugins } from './plugins.ts';
import { applyLost, type LostInfo, quarantine, survivorReport } from './recovery.ts';
import type { RootEntry } from './shutdown-port.ts';
import { startTreeHere } from './tree-threaded.ts';

interface ExecutorData {
  node: number;
  group: number;
  actors: string | null;
  boardBuffer: SharedArrayBuffer;
  boardNodes: number;
  ports: Record<number, MessagePort>;
  throughput: number;
  yieldMs: number;
  askTimeoutMs: number;
  mailbox: ResolvedMailbox;
  /** The system's deadlock options: detection, strategies, reentrancy and stalls work here too. */
  deadlock: ResolvedDeadlockOptions;
  /** The system's event options: per-message events and their sampling apply here too. */
  events: EventOptions;
  /** The dead-letter log's limits (one window for all threads, lines written on the main thread); null: off. */
  deadLetterLog: DeadLetterLogOptions | null;
  tickMs: number;
  /** Spin-then-park after a drain that posted (options.ts idleSpinMs). */
  idleSpinMs: number;
  /** Gather chatty actors onto one executor (scheduler/compaction.ts). */
  compaction: boolean;
  steal: { enabled: boolean; maxStealRetries: number; stealCooldownMs: number; stealThreshold: number };
  /** Watchdog heartbeat, running record and transit ledger (scheduler/watchdog.ts). */
  watchdogBuffer: SharedArrayBuffer;
  /** The main thread watches heartbeats (hangTimeoutMs is not false): publish them per turn. */
  watchdog: boolean;
  /** Definitions the restart circuit breaker quarantined before this executor started (recovery.ts). */
  quarantined: string[];
  /** The system-wide name table (scheduler/names.ts): names are claimed there, synchronously. */
  namesBuffer: SharedArrayBuffer;
}

const data = workerData as ExecutorData;
const port = parentPort!;

async function main(): Promise<void> {
  const defs =
    data.actors === null ? [] : definitionsOf((await import(data.actors)) as Record<string, unknown>);
  const board = new Board(data.boardNodes, data.boardBuffer);
  // Worker threads are unref'd: this node's pending work and activity, in shared memory, are what
  // the main thread holds the process for (scheduler activity.ts, executors/lifetime.ts).
  const activity = new Activity(board, data.node);
  const host = new Host({
    lifetime: new Lifetime((some) => activity.holding(some)),
    node: data.node,
    clock: systemClock,
    throughput: data.throughput,
    yieldMs: data.yieldMs,
    askTimeoutMs: data.askTimeoutMs,
    mailbox: data.mailbox,
    events: data.events,
  });
  host.nameTable = new NameTable({ node: data.node, buffer: data.namesBuffer });
  host.useSequence(() => board.nextSeq()); // ids grow with spawn order system-wide (host.ts)
  const link = new ThreadLink(host, board);
  link.activity = activity;
  const log = data.deadLetterLog;
  const features = featurePlugins(data.deadlock);
  /** Definitions the restart circuit breaker quarantined (recovery.ts step 5): their spawns are refused. */
  const refused = new Set(data.quarantined);
  host.start([
    ...features.list,
    link.plugin(),
    executorPlugin(refused, (cell, placement) => place(cell, placement)),
    ...deadLetterLogPlugin(
      log === null ? null : deadLetterLog(log, sharedGate(board, log), (l) => link.send(0, [F_LOG, l])),
    ),
  ]);
  for (const d of defs) host.register(d, `actors.${d.name}`);
  host.connect(link, (id, name, def) => link.intern(id, name, def));
  host.movable = true;
  const wd = new WatchdogBoard(data.boardNodes, data.watchdogBuffer);
  link.watchdog = wd;
  link.asks = new Map();
  // Per actor turn (never per message): the queue depth thieves read, so a backlog is visible while
  // the drain that works on it runs; with the watchdog on, a beat and the running record (what the
  // main thread reads when this thread hangs).
  const depth = host.dispatcher;
  // Spin-then-park. A drain that posted to other threads likely gets answers within microseconds:
  // poll the board's count of batches posted here (no syscall) for idleSpinMs before parking in the
  // event loop, whose wake-up costs ~50 µs here. It runs as a microtask after the drain (and after
  // its batches' flushes), so the spin is not counted as busy time (thieves read utilization).
  let postedOut = 0;
  const spin = (): void => {
    link.flushAll();
    const out = link.batchesOut();
    if (out === postedOut) return;
    postedOut = out;
    const until = performance.now() + data.idleSpinMs;
    do if (board.posts(data.node) > link.batchesIn && link.pump()) return;
    while (performance.now() < until);
  };
  const idle = (): void => {
    board.set(data.node, SLOT.idleAt, wallNow());
    if (data.idleSpinMs > 0) queueMicrotask(spin);
  };
  host.dispatcher.probe = data.watchdog
    ? (c) => {
        board.set(data.node, SLOT.queueDepth, depth.depth);
        if (c === null) {
          wd.idle(data.node);
          idle();
        } else
          wd.turn(
            data.node,
            c.id,
            c.def.name,
            c.mailbox.length > 0 ? messageType(c.mailbox.peek()) : '(system)',
          );
      }
    : (c) => {
        board.set(data.node, SLOT.queueDepth, depth.depth);
        if (c === null) idle();
      };
  const node = data.node;
  for (const [n, p] of Object.entries(data.ports)) link.connect(Number(n), p);
  // Cycles across executors: while some strategy detects, live wait-for edges go to the main thread (features/deadlock/global.ts).
  const detects = (s: string | undefined) => s !== undefined && s !== 'timeout-only';
  const dl = features.deadlock.runtime;
  if (dl !== null && (detects(data.deadlock.strategy) || defs.some((d) => detects(d.deadlock?.strategy))))
    dl.forwarder = new EdgeForwarder(
      (tokens) => link.send(0, [F_DL_EDGES, tokens]),
      (e, done) => link.withdrawAsk(e.to, e, done),
    );
  const placer = new Placer(board);
  const steal = new StealController(node, board, data.steal);
  // Cost per message by definition, from timed turns (a turn's messages: the processed count's step).
  const cost = new MessageCost<ActorCell['def']>();
  let processedAt = host.stats.processed;
  host.dispatcher.timed = (c, ms) => {
    const p = host.stats.processed;
    cost.add(c.def, ms, p - processedAt);
    processedAt = p;
  };
  /** Actors whose state could not be encoded: never offered again (reported once). */
  const stuck = new WeakSet<ActorCell>();

  const place = (cell: ActorCell, placement: unknown): void => {
    const to = placeOrThrow(placer, placement, node, 'ctx.spawn(options).placement');
    if (to === node) return;
    try {
      link.migrateOut(cell, to, 'placement');
    } catch (e) {
      // The actor stays where it was born; placement is a preference, state portability a fact.
      host.emit({ type: 'migration.refused', at: Date.now(), actor: cell.desc, to, error: String(e) });
    }
  };
  // The name table says who holds a name; these give the main thread a ref object (with its
  // definition) for names claimed here, for system.lookup.
  link.onAdopted = (cell) => {
    if (cell.ref.name !== undefined) link.send(0, [F_NAME, cell.ref.name, cell.ref]);
  };
  link.onGone = (cell) => {
    if (cell.ref.name !== undefined) link.send(0, [F_NAME, cell.ref.name, null, cell.id]);
  };

  /** Events to the main thread wait within a bounded window; past it per-message ones are dropped, counted. */
  const eventWindow = new EventWindow(board, node);
  const publish = (): void => {
    const s = host.stats;
    board.set(node, SLOT.queueDepth, host.dispatcher.depth);
    board.set(node, SLOT.tasksCompleted, host.dispatcher.turns);
    board.set(node, SLOT.busyMs, host.dispatcher.busyNow());
    board.set(node, SLOT.sent, s.sent);
    board.set(node, SLOT.moved, s.moved);
    board.set(node, SLOT.processed, s.processed);
    board.set(node, SLOT.dead, s.dead);
    // An arriving actor (snapshot here, not yet fenced) is this node's; one on the wire is counted by the snapshot slots.
    board.set(node, SLOT.actors, host.cells.size + link.arrivals.size);
    board.set(node, SLOT.snapshotsOut, link.snapshotsOut);
    board.set(node, SLOT.snapshotsIn, link.snapshotsIn);
    // Publish runs twice per inbound batch: a count kept by the host, not a walk of every cell.
    board.set(node, SLOT.directory, link.loc.size + host.native);
    board.setReasons(node, s.byReason);
    eventWindow.publish();
  };
  // Published before the drain that the batch armed, so thieves see this backlog while it is worked on.
  // …and again once that drain is done, so an idle executor does not look busy until the next tick.
  link.afterBatch = () => {
    publish();
    queueMicrotask(publish);
  };
  host.dispatcher.checkMask = 0;
  // A long drain reads batches posted to it once they have waited INBOX_WAIT_MS, in place (no yield:
  // a yielded drain would let every batch that arrives meanwhile run before its ready actors), and
  // posts its own every BATCH_WAIT_MS: a peer waiting on a reply should not wait out the time slice.
  let flushedAt = 0;
  let busyAt = 0;
  host.dispatcher.midDrain = (elapsed, now) => {
    if (elapsed >= INBOX_WAIT_MS && board.posts(node) > link.batchesIn) link.pump();
    if (elapsed >= BATCH_WAIT_MS && now - flushedAt >= BATCH_WAIT_MS) {
      flushedAt = now;
      link.flushAll();
    }
    // Busy time so far, this drain included: a drain lasts up to yieldMs, and peers that read only
    // finished drains saw a saturated executor as half idle in their 10 ms compaction window.
    if (now - busyAt >= BUSY_PUBLISH_MS) {
      busyAt = now;
      board.set(node, SLOT.busyMs, host.dispatcher.busyMs + elapsed);
    }
  };
  // A ring is answered by yielding: the frames posted before it run before the next drain.
  let rung = board.bell(node);
  host.dispatcher.urgent = () => board.bell(node) !== rung;
  host.dispatcher.heard = () => {
    rung = board.bell(node);
  };

  /** Step 6 of the stealing protocol (stealing.ts), on the victim. */
  const giveTo = (thief: number): number => {
    // Shutdown phase 1 closed intake: no actor moves any more, so phases 3–4 find every actor where they look.
    if (!host.accepting) return 0;
    const threshold = data.steal.stealThreshold;
    const ready = host.dispatcher.newestReady(
      // Parent/child links travel as refs (links.ts); immovable names what cannot move now.
      (c) =>
        c.status === ALIVE &&
        !c.busy &&
        !c.def.pinned &&
        !stuck.has(c) &&
        immovable(c) === undefined &&
        !link.arriving(c) &&
        worthMoving(c.mailbox.length, cost.of(c.def)),
      Math.max(2 * MAX_STEAL, threshold),
      STEAL_SCAN,
    );
    const k = stealCount(ready.length, threshold);
    let given = 0;
    for (let i = 0; i < ready.length && given < k; i++) {
      const c = ready[i]!;
      try {
        link.migrateOut(c, thief, 'steal');
        given++;
      } catch (e) {
        stuck.add(c);
        host.emit({ type: 'migration.refused', at: Date.now(), actor: c.desc, to: thief, error: String(e) });
      }
    }
    return given;
  };

  /** Compaction step 3: up to MAX_STEAL of this executor's actors move to `to`. */
  const compactor = new Compactor(node, board, (from, to) => wd.sent(from, to));
  const gatherOnto = (to: number): number => {
    if (!host.accepting) return 0;
    let moved = 0;
    for (const c of host.cells.values()) {
      if (moved >= MAX_STEAL) break;
      if (c.status !== ALIVE || c.busy || c.def.pinned || stuck.has(c) || immovable(c) !== undefined)
        continue;
      // A backlog worth a steal stays: stealing would move it back (Fork-Join throughput swapped
      // 30 workers with ~10k queued messages each way in every run).
      if (worthMoving(c.mailbox.length, cost.of(c.def))) continue;
      try {
        link.migrateOut(c, to, 'compaction');
        moved++;
      } catch (e) {
        stuck.add(c);
        host.emit({ type: 'migration.refused', at: Date.now(), actor: c.desc, to, error: String(e) });
      }
    }
    return moved;
  };

  /** Vacating for retirement (adaptive pool): steals nothing. */
  let retiring = false;
  let events: Subscription | null = null;
  let eventsRate = -1;
  let deadLetters: Subscription | null = null;

  link.onControl = (from, f) => {
    switch (f[0]) {
      case F_REQ:
        void serve(from, f[1] as number, f[2] as number, f.slice(3));
        return;
      case F_DL_CONFIRM: {
        const ok = features.deadlock.runtime?.forwarder?.confirm(f[2] as number[]) ?? false;
        link.send(from, [F_DL_CONFIRMED, f[1], ok]);
        return;
      }
      case F_DL_ACT: {
        const dl = features.deadlock.runtime;
        dl?.forwarder?.act(
          dl,
          f[1] as DeadlockAction,
          f[2] as number,
          f[3] as DeadlockCycleEntry[],
          f[4] as string,
        );
        return;
      }
      case F_STEAL: {
        const n = giveTo(from);
        link.send(from, [F_STEAL_REPLY, n]);
        publish();
        return;
      }
      case F_STEAL_REPLY: {
        const req = steal.outstanding;
        steal.reply(f[1] as number, wallNow());
        if (req !== null && (f[1] as number) > 0)
          host.emit({
            type: 'steal.succeeded',
            at: Date.now(),
            thief: node,
            victim: req.victim,
            cross: req.cross,
            rounds: req.rounds,
            actors: f[1],
          });
        return;
      }
      case F_FORWARDING: {
        // false: no events; else the per-message sampling rate to forward at (forwarding.ts).
        const rate = f[1] === false ? -1 : f[1] === true ? 1 : (f[1] as number);
        const wantDead = f[2] as boolean;
        if (rate !== eventsRate) {
          // The new subscription first: the host's per-message gate never drops to off between them.
          const old = events;
          events =
            rate < 0
              ? null
              : host.events.observe(rate).subscribe((e) => {
                  if (eventWindow.admit(e.type)) link.send(0, [F_EVENT, portableRecord(e, 'event')]);
                });
          old?.unsubscribe();
          eventsRate = rate;
        }
        if (wantDead && deadLetters === null)
          deadLetters = host.deadLetters.subscribe((d) =>
            link.send(0, [F_DEADLETTER, portableRecord(d, 'deadLetter')]),
          );
        else if (!wantDead && deadLetters !== null) {
          deadLetters.unsubscribe();
          deadLetters = null;
        }
        return;
      }
    }
  };

  const reply = (to: number, askId: number, ok: boolean, value: unknown) => link.settle(to, askId, ok, value);

  /** Kills `cells` (children with them) and says what it killed and what became of each onStop. */
  const killing = (reason: string, cells: ActorCell[]): KilledActor[] => {
    const killed: KilledActor[] = [];
    const unlisten = features.kills.listen((c, onStop) => killed.push({ actor: c.desc, onStop }));
    try {
      for (const c of cells) c.kill(reason);
    } finally {
      unlisten();
    }
    publish();
    return killed;
  };

  async function serve(from: number, askId: number, op: number, args: unknown[]): Promise<void> {
    try {
      switch (op) {
        case REQ_SPAWN: {
          const [defName, props, options] = args as [string, unknown, Record<string, unknown> | null];
          const def = host.definitions.get(defName);
          if (def === undefined)
            throw new UnknownActorError(
              defName,
              [...host.definitions.keys()].filter((n) => !n.startsWith('troupe.')),
              EXECUTORS_KNOW,
            );
          const ref = host.spawnLocal(def, props, (options ?? undefined) as never, null);
          reply(from, askId, true, ref);
          return;
        }
        case REQ_START_TREE:
          // A whole supervision tree lives here (executors/tree-threaded.ts).
          reply(from, askId, true, startTreeHere(host, link, args));
          return;
        case REQ_INTAKE:
          host.accepting = args[0] as boolean;
          reply(from, askId, true, null);
          return;
        case REQ_DROP: {
          for (const c of [...host.cells.values()])
            for (const [m, meta] of c.takeMailbox()) host.deadLetter(m, meta, 'shutdown', c);
          publish();
          reply(from, askId, true, null);
          return;
        }
        case REQ_ROOTS:
          reply(
            from,
            askId,
            true,
            // Top-most live actors here: roots, including children whose parent lives elsewhere
            // (linked by ref, links.ts: stopping them here tells that parent), in arrival order,
            // each with its own shutdownMs (null: a supervisor, which runs its own protocol).
            [...host.cells.values()]
              .filter((c) => c.status === ALIVE && (c.parent === null || c.parent.status !== ALIVE))
              .map((c): RootEntry => [c.ref, ownsChildStop(c) ? null : shutdownMsOf(c)]),
          );
          return;
        case REQ_KILL:
          // Every cell, not only roots: a child that migrated here away from its parent is no root
          // here, and its parent's stop does not reach it. onKilled collects children killed with parents.
          reply(from, askId, true, killing(args[0] as string, [...host.cells.values()]));
          return;
        case REQ_KILL_ACTOR: {
          // Shutdown phase 3: one actor overran its shutdownMs (gone or moved on: nothing to kill here).
          const c = host.cells.get(args[0] as number);
          reply(from, askId, true, killing(args[1] as string, c === undefined ? [] : [c]));
          return;
        }
        case REQ_LOST:
          reply(from, askId, true, survivorReport(link, host, args[0] as number, args[1] as string));
          return;
        case REQ_LOST_ACTORS:
          reply(from, askId, true, applyLost(link, host, args[0] as LostInfo).settled);
          return;
        case REQ_QUARANTINE:
          refused.add(args[0] as string);
          reply(from, askId, true, quarantine(host, args[0] as string));
          return;
        case REQ_PUBLISH:
          publish();
          reply(from, askId, true, null);
          return;
        case REQ_VACATE: {
          // Adaptive pool, before retirement: no more steals here, actors move to the others.
          publish();
          if (board.get(node, SLOT.directory) > 0) {
            reply(from, askId, true, { empty: false, actors: host.cells.size, directory: link.loc.size });
            return;
          }
          retiring = true;
          const others = args[0] as number[];
          let i = 0;
          for (const c of [...host.cells.values()]) {
            if (others.length === 0) break;
            try {
              link.migrateOut(c, others[i++ % others.length]!, 'retire');
            } catch {
              // pinned, busy or not portable: it keeps this executor alive
            }
          }
          publish();
          // Retirement is safe once nothing lives here and no actor born here lives anywhere
          // (this node is their directory) and no migration handshake is open.
          const empty =
            host.cells.size === 0 &&
            link.loc.size === 0 &&
            link.forward.size === 0 &&
            link.arrivals.size === 0;
          reply(from, askId, true, { empty, actors: host.cells.size, directory: link.loc.size });
          return;
        }
        case REQ_UNVACATE:
          retiring = false;
          reply(from, askId, true, null);
          return;
        default:
          throw new ConfigError('request', 'a known operation', op);
      }
    } catch (e) {
      reply(from, askId, false, e);
    }
  }

  port.on('message', (m: { type: string; node: number; port?: MessagePort }) => {
    if (m.type === 'connect') link.connect(m.node, m.port!);
    else if (m.type === 'disconnect') {
      link.disconnect(m.node);
      if (steal.outstanding?.victim === m.node) steal.abandon(wallNow());
    }
  });

  board.set(node, SLOT.group, data.group);
  board.set(node, SLOT.threadId, threadId);
  board.set(node, SLOT.startedAt, wallNow());
  board.set(node, SLOT.idleAt, wallNow());
  publish();
  board.set(node, SLOT.alive, 1);

  const tick = setInterval(() => {
    wd.beat(node);
    publish();
    // Activity step 4; a steal request or a gathering below marks it active again before it sends.
    if (host.dispatcher.depth === 0) activity.idle();
    // Actors arriving here (a steal granted, not yet fenced) are work this executor has: no new request.
    const req = retiring
      ? null
      : steal.poll(
          host.dispatcher.depth + link.arrivals.size,
          wallNow(),
          host.dispatcher.busyMs + link.receiveMs,
        );
    if (req !== null) {
      activity.active();
      link.sendUrgent(req.victim, [F_STEAL, req.cross]);
    } else if (data.compaction && !retiring) {
      const to = compactor.poll(wallNow(), host.dispatcher.busyMs);
      if (to > 0) activity.active();
      const moved = to > 0 ? gatherOnto(to) : 0;
      if (moved > 0) {
        steal.gathered(to, wallNow());
        host.emit({
          type: 'compaction.gathered',
          at: Date.now(),
          from: node,
          to,
          actors: moved,
          rule: compactor.rule,
        });
      }
    }
  }, data.tickMs);
  tick.unref();
  port.postMessage({ type: 'ready' });
}

main().catch((e: unknown) => {
  const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  port.postMessage({ type: 'failed', error });
});
