/**
 * The dashboard's state, built from the event stream alone so that a live
 * system, a recording and another process all feed it the same way: `apply`
 * each event, `closeSecond` once a second, `tick` to say what changed.
 * Everything it holds is bounded (rings, capped maps), whatever the traffic.
 */
import type {
  AnyTroupeEvent,
  DeadlockCycle,
  ExtensionEvent,
  SchedulerMetrics,
  TroupeEvent,
  WaitForGraphSnapshot,
} from '@troupe/runtime';
import type {
  ActorDetail,
  ActorPage,
  ActorRow,
  ActorSort,
  Failure,
  LogEntry,
  Point,
  Tick,
  Totals,
} from '../protocol.ts';
import { ActorTable } from './actors.ts';
import { Deadlocks, graphView } from './deadlocks.ts';
import { Executors } from './executors.ts';
import { EventLog } from './log.ts';
import { type Counted, Series } from './series.ts';
import { Supervision, type SupervisorEventLike } from './supervision.ts';

export interface ModelOptions {
  /** Live actors the table lists (the rest are counted). Default 10,000. */
  readonly maxActors?: number;
}

const MAX_STACK = 8192;
const TICK_MOVES = 200;
const TICK_LOG = 100;
const FRESH_MOVES = 50;

/** Counts derived from the events themselves (a recording has no counters to ask). */
interface Derived {
  sent: number;
  processed: number;
  deadLettered: number;
  spawned: number;
  stopped: number;
  restarts: number;
  failures: number;
}

export class Model {
  readonly actors: ActorTable;
  readonly executors = new Executors();
  readonly supervision = new Supervision();
  readonly deadlocks = new Deadlocks();
  readonly log = new EventLog();
  readonly series = new Series();
  readonly derived: Derived = {
    sent: 0,
    processed: 0,
    deadLettered: 0,
    spawned: 0,
    stopped: 0,
    restarts: 0,
    failures: 0,
  };
  /** How many messages one per-message event stands for (1 unless sampled; the source measures it). */
  weight = 1;
  /** Per-message events seen (unweighted): the source compares them with the counters to find `weight`. */
  perMessageSeen = 0;
  /** `message.processed` events seen (unweighted), for `processedSeenDelta`. */
  private processedSeen = 0;
  private processedSeenBefore = 0;
  /** The latest `at` seen: now on the events' clock, where no better one is known (a recording). */
  lastAt = 0;
  /** Events that could not be read (a corrupt recording, a stranger's stream). */
  malformed = 0;
  private moveCursor = 0;
  private lastBusiest: ActorRow[] = [];
  private logCursor = 0;

  constructor(options: ModelOptions = {}) {
    this.actors = new ActorTable(options.maxActors ?? 10_000);
  }

  apply(e: AnyTroupeEvent): void {
    try {
      this.dispatch(e);
      this.log.add(e);
    } catch {
      this.malformed++;
    }
  }

  private dispatch(any: AnyTroupeEvent): void {
    const w = this.weight;
    const at = typeof any.at === 'number' ? any.at : 0;
    if (at > this.lastAt) this.lastAt = at;
    // Extension events share the `actor.` prefix, so the type alone does not narrow the union.
    const e = any as TroupeEvent;
    switch (e.type) {
      case 'message.sent': {
        this.perMessageSeen++;
        this.derived.sent += w;
        const r = this.actors.row(e.to, at);
        if (r !== undefined) r.sent += w;
        return;
      }
      case 'message.received': {
        this.perMessageSeen++;
        const r = this.actors.row(e.actor, at);
        if (r !== undefined) {
          r.received += w;
          r.lastActive = at;
        }
        if (typeof e.queuedMs === 'number') this.series.current.queued.record(e.queuedMs, w);
        return;
      }
      case 'message.processed': {
        this.perMessageSeen++;
        this.processedSeen++;
        const d = Number(e.durationMs);
        this.derived.processed += w;
        this.series.current.processed += w;
        this.series.current.handler.record(d, w);
        const r = this.actors.row(e.actor, at);
        if (r !== undefined && Number.isFinite(d)) {
          r.processed += w;
          r.handlerMs += d * w;
          r.handlerN += w;
          if (d > r.maxMs) r.maxMs = d;
          r.lastActive = at;
        }
        return;
      }
      case 'message.dead-lettered':
        this.derived.deadLettered++;
        this.series.current.deadLetters++;
        return;
      case 'actor.spawned':
        this.derived.spawned++;
        this.actors.spawned(e.actor, e.parent, at);
        return;
      case 'actor.stopped':
        this.derived.stopped++;
        this.actors.stop(e.actor, String(e.reason), at);
        this.supervision.stopped(e.actor);
        return;
      case 'actor.failed':
        this.derived.failures++;
        this.series.current.failures++;
        this.actors.failed(e.actor, failureOf(at, e.phase, e.messageType, e.error));
        return;
      case 'actor.restarted': {
        this.derived.restarts++;
        this.series.current.restarts++;
        const r = this.actors.row(e.actor, at);
        if (r !== undefined) r.restarts++;
        return;
      }
      case 'actor.migrated': {
        const r = this.actors.row(e.actor, at);
        if (r !== undefined) r.executor = e.to;
        const a = e.actor;
        this.executors.moved(
          a ? { id: a.id, name: a.name, def: a.def } : null,
          e.from,
          e.to,
          String(e.reason),
          at,
        );
        return;
      }
    }
    const x = any as ExtensionEvent;
    switch (x.type) {
      case 'executor.metrics':
        this.executors.metrics(x.metrics as SchedulerMetrics);
        return;
      case 'compaction.gathered':
        this.executors.compaction(x.from as number);
        return;
      case 'executor.replaced':
        this.executors.replaced(x.executor as number, x.replacement as number);
        return;
      case 'deadlock.detected':
        this.deadlocks.detected(at, x.strategy, x.cycle as DeadlockCycle);
        return;
      case 'deadlock.resolved':
        this.deadlocks.resolved(at, x.strategy, x.cycle as DeadlockCycle, x.action);
        return;
    }
    if (typeof x.type === 'string' && x.type.startsWith('supervisor.'))
      this.supervision.event(x as unknown as SupervisorEventLike);
  }

  /** `message.processed` events since the previous call (the live feed's weight measure). */
  processedSeenDelta(): number {
    const d = this.processedSeen - this.processedSeenBefore;
    this.processedSeenBefore = this.processedSeen;
    return d;
  }

  /** Closes the second `t` (epoch seconds) into a chart point. */
  closeSecond(t: number, counted: Counted | null): Point {
    return this.series.close(t, counted);
  }

  /** Totals from the events (a live source overrides the message counts with the system's own). */
  derivedTotals(): Totals {
    const d = this.derived;
    return {
      sent: Math.round(d.sent),
      processed: Math.round(d.processed),
      deadLettered: d.deadLettered,
      inFlight: Math.max(0, Math.round(d.sent - d.processed - d.deadLettered)),
      actors: Math.max(0, d.spawned - d.stopped),
      restarts: d.restarts,
      failures: d.failures,
      deadlocks: this.deadlocks.total,
    };
  }

  /**
   * What changed since the previous tick, and the state of the moment. `fresh` (for a client
   * that just connected): the recent moves and log instead of the new ones, and no cursor moves.
   */
  tick(
    o: {
      at: number;
      totals: Totals;
      point: Point | null;
      graph: WaitForGraphSnapshot | null;
      clients: number;
      sampling: number | null;
      /** Now on the events' clock (the system's, not the wall's): intensity windows are counted on it. */
      eventNow?: number;
    },
    fresh = false,
  ): Tick {
    const moves = fresh
      ? this.executors.moves.last(FRESH_MOVES)
      : this.executors.moves.since(this.moveCursor).slice(-TICK_MOVES);
    const log = fresh ? this.log.entries(null, TICK_LOG) : this.log.since(this.logCursor, TICK_LOG);
    if (!fresh) {
      this.moveCursor = this.executors.moves.seq;
      this.logCursor = this.log.next;
      for (const r of this.actors.rows.values()) {
        r.perSec = r.processed - r.processedBefore;
        r.processedBefore = r.processed;
      }
      this.lastBusiest = this.actors.top(10, (r) => r.perSec);
    }
    const busiest = this.lastBusiest;
    return {
      at: o.at,
      totals: o.totals,
      point: o.point,
      ...this.executors.view(),
      moves,
      slowest: this.actors.top(10, (r) => (r.handlerN > 0 ? r.maxMs : 0)),
      busiest,
      deadlocks: {
        total: this.deadlocks.total,
        recent: this.deadlocks.recent(10),
        graph: graphView(o.graph),
      },
      trees: this.supervision.view(o.eventNow ?? this.lastAt),
      log,
      types: this.log.types(),
      sampling: o.sampling,
      clients: o.clients,
      notice: null,
    };
  }

  history(): Point[] {
    return this.series.points.toArray();
  }

  actorPage(q: { sort: ActorSort; desc: boolean; filter: string; offset: number; limit: number }): ActorPage {
    return this.actors.page(q, this.weight !== 1);
  }

  actorDetail(id: number): ActorDetail | null {
    const r = this.actors.find(id);
    if (r === undefined) return null;
    const children: ActorRow[] = [];
    for (const c of this.actors.rows.values()) {
      if (c.parent !== id) continue;
      children.push(c.view());
      if (children.length >= 100) break;
    }
    return {
      row: r.view(),
      failures: r.failures?.toArray() ?? [],
      moves: this.executors.moves.toArray().filter((m) => m.actor?.id === id),
      children,
      stopReason: r.stopReason,
    };
  }

  events(type: string | null, limit: number): LogEntry[] {
    return this.log.entries(type, limit);
  }
}

function failureOf(at: number, phase: unknown, messageType: unknown, error: unknown): Failure {
  let name = 'Error';
  let message = '';
  let stack: string | null = null;
  if (error !== null && typeof error === 'object') {
    const o = error as { name?: unknown; message?: unknown; stack?: unknown };
    if (typeof o.name === 'string') name = o.name;
    message = typeof o.message === 'string' ? o.message : safeString(error);
    if (typeof o.stack === 'string') stack = o.stack.slice(0, MAX_STACK);
  } else {
    name = typeof error;
    message = safeString(error);
  }
  return {
    at,
    phase: String(phase),
    messageType: typeof messageType === 'string' ? messageType : null,
    error: { name, message: message.slice(0, 2000), stack },
  };
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return '[unprintable]';
  }
}
