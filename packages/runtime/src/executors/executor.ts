/**
 * Executor entry: the module every worker thread runs. It imports the user's
 * actor module, builds a Host for its node, connects to every other node and
 * then serves frames: routing (link.ts), requests from the main thread
 * (executor-requests.ts), and — while the main thread has subscribers —
 * forwards events and dead letters in batches. What the thread does around
 * its actors' turns (the tick, stealing both ways, compaction, spin-then-
 * park, the watchdog probe, the board row) is the scheduler's ExecutorLoop,
 * with the cells plugged in as its units (executor-units.ts).
 *
 * Invariants: a failure to start is posted as `{ type: 'failed', error }`
 * (the pool reports it with the cause and does not respawn); the executor
 * writes only its own board row; it publishes its counters after every
 * inbound batch and on every tick, so `stats()` on the main thread is at
 * most one tick behind.
 */

import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import {
  Activity,
  Board,
  ExecutorLoop,
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
  NameTable,
  Placer,
  WatchdogBoard,
} from '@troupe/scheduler';
import type { Subscription } from 'rxjs';
import { EdgeForwarder } from '../features/deadlock/forwarder.ts';
import type { ResolvedDeadlockOptions } from '../features/deadlock/options.ts';
import type { DeadlockAction } from '../features/deadlock/strategies.ts';
import type { ActorCell } from '../kernel/cell.ts';
import { systemClock } from '../kernel/clock.ts';
import { definitionsOf } from '../kernel/definition.ts';
import type { DeadlockCycleEntry } from '../kernel/errors.ts';
import type { EventOptions } from '../kernel/events.ts';
import { Host, type HostPlugin } from '../kernel/host.ts';
import { Lifetime } from '../kernel/lifetime.ts';
import { type DeadLetterLogOptions, deadLetterLog, sharedGate } from '../kernel/log/dead-letters.ts';
import type { ResolvedMailbox } from '../kernel/mailbox.ts';
import { portableRecord } from './errors-wire.ts';
import { EventWindow } from './event-window.ts';
import { executorPlugin } from './executor-plugin.ts';
import { serveRequest } from './executor-requests.ts';
import { cellUnits } from './executor-units.ts';
import { ThreadLink } from './link.ts';
import { placeOrThrow } from './placement.ts';
import { deadLetterLogPlugin, featurePlugins } from './plugins.ts';
import { setupPlugins } from './setup-modules.ts';

interface ExecutorData {
  node: number;
  group: number;
  actors: string | null;
  /** Setup modules (system/plugin-options.ts), imported before anything else; their `plugins` join the host. */
  setup: string[];
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
  const userPlugins: HostPlugin[] = [];
  for (const href of data.setup)
    userPlugins.push(...setupPlugins((await import(href)) as Record<string, unknown>, href));
  const defs =
    data.actors === null ? [] : definitionsOf((await import(data.actors)) as Record<string, unknown>);
  const node = data.node;
  const board = new Board(data.boardNodes, data.boardBuffer);
  // Worker threads are unref'd: this node's pending work and activity, in shared memory, are what
  // the main thread holds the process for (scheduler activity.ts and lifetime.ts).
  const activity = new Activity(board, node);
  const host = new Host({
    lifetime: new Lifetime((some) => activity.holding(some)),
    node,
    clock: systemClock,
    throughput: data.throughput,
    yieldMs: data.yieldMs,
    askTimeoutMs: data.askTimeoutMs,
    mailbox: data.mailbox,
    events: data.events,
  });
  host.nameTable = new NameTable({ node, buffer: data.namesBuffer });
  host.useSequence(() => board.nextSeq()); // ids grow with spawn order system-wide (host.ts)
  const link = new ThreadLink(host, board);
  link.activity = activity;
  const log = data.deadLetterLog;
  const features = featurePlugins(data.deadlock);
  /** Definitions the restart circuit breaker quarantined (recovery.ts step 5): their spawns are refused. */
  const refused = new Set(data.quarantined);
  host.start([
    ...features.list,
    ...userPlugins,
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

  /** Events to the main thread wait within a bounded window; past it per-message ones are dropped, counted. */
  const eventWindow = new EventWindow(board, node);
  const loop = new ExecutorLoop(host.dispatcher, link, cellUnits(host, link, board, eventWindow), {
    node,
    group: data.group,
    board,
    activity,
    watchdog: wd,
    watchTurns: data.watchdog,
    steal: data.steal,
    compaction: data.compaction,
    idleSpinMs: data.idleSpinMs,
    tickMs: data.tickMs,
  });
  link.afterBatch = loop.afterBatch;
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

  let events: Subscription | null = null;
  let eventsRate = -1;
  let deadLetters: Subscription | null = null;
  const requests = { host, link, board, loop, refused, kills: features.kills };
  link.onControl = (from, f) => {
    switch (f[0]) {
      case F_REQ:
        void serveRequest(requests, from, f[1] as number, f[2] as number, f.slice(3));
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
      default:
        // Stealing's frames (F_STEAL, F_STEAL_REPLY) are the loop's.
        loop.control(from, f);
    }
  };

  // The pool's protocol (scheduler pool.ts): executors that start later connect here, lost ones leave.
  port.on('message', (m: { type: string; node: number; port?: MessagePort }) => {
    if (m.type === 'connect') link.connect(m.node, m.port!);
    else if (m.type === 'disconnect') {
      link.disconnect(m.node);
      loop.disconnected(m.node);
    }
  });

  loop.start();
  port.postMessage({ type: 'ready' });
}

main().catch((e: unknown) => {
  const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  port.postMessage({ type: 'failed', error });
});
