/**
 * What the dashboard server sends (GET /events as server-sent events, GET /snapshot
 * and GET /api/* as JSON): plain JSON shapes shared by the browser page,
 * `troupe top` and `--attach`. Every list here is bounded by the model's rings.
 */

export interface ActorRef {
  readonly id: number;
  readonly name?: string | undefined;
  readonly def: string;
}

/** Where the data comes from: a running system, a recording, or another process. */
export type SourceKind = 'live' | 'replay' | 'attach';

export interface Hello {
  readonly version: 1;
  readonly source: SourceKind;
  readonly startedAt: number;
  readonly pid: number;
  /** Executor threads (0: in-thread), when known. */
  readonly executors: number | null;
  readonly title: string;
}

export interface Totals {
  readonly sent: number;
  readonly processed: number;
  readonly deadLettered: number;
  readonly inFlight: number;
  readonly actors: number;
  readonly restarts: number;
  readonly failures: number;
  readonly deadlocks: number;
}

/** One second of the overview charts. */
export interface Point {
  /** Epoch seconds. */
  readonly t: number;
  readonly messages: number;
  readonly deadLetters: number;
  readonly restarts: number;
  readonly failures: number;
  /** Handler time quantiles over the sampled messages of that second, ms (null: none sampled). */
  readonly p50: number | null;
  readonly p99: number | null;
  /** Mean time in mailbox, ms: measured when events carry it, else by Little's law from the counters. */
  readonly mailboxMs: number | null;
}

export interface ExecutorView {
  readonly id: number;
  readonly group: number;
  readonly threadId: number | null;
  readonly utilization: number;
  readonly queueDepth: number;
  readonly actors: number;
  readonly stealsOwn: number;
  readonly stealsCross: number;
  readonly stealAttempts: number;
  readonly migrations: number;
  readonly compactions: number;
  readonly faults: number;
  readonly tasksCompleted: number;
  readonly eventsDropped: number;
  /** Utilization over the last minute, oldest first. */
  readonly history: readonly number[];
}

export interface GroupView {
  readonly group: number;
  readonly executors: readonly number[];
  readonly utilization: number;
  readonly queueDepth: number;
}

export interface Move {
  readonly seq: number;
  readonly at: number;
  readonly actor: ActorRef | null;
  readonly from: number;
  readonly to: number;
  readonly reason: string;
  /** Actors moved at once (a steal may take several). */
  readonly count: number;
}

export interface ActorRow {
  readonly id: number;
  readonly name: string | null;
  readonly def: string;
  /** Executor node (0: the main thread or in-thread). */
  readonly executor: number;
  readonly parent: number | null;
  readonly status: 'alive' | 'stopped';
  /** Messages waiting, estimated from the sampled events (exact when every message is sampled). */
  readonly mailbox: number;
  /** Messages handled since the dashboard began to count (estimated when sampled). */
  readonly processed: number;
  /** Messages handled between the last two ticks (about a second). */
  readonly perSec: number;
  readonly meanMs: number | null;
  readonly maxMs: number | null;
  readonly restarts: number;
  readonly failures: number;
  readonly lastActive: number;
}

export type ActorSort = keyof Pick<
  ActorRow,
  'id' | 'name' | 'def' | 'executor' | 'mailbox' | 'processed' | 'perSec' | 'meanMs' | 'maxMs' | 'restarts'
>;
export const ACTOR_SORTS: readonly ActorSort[] = [
  'id',
  'name',
  'def',
  'executor',
  'mailbox',
  'processed',
  'perSec',
  'meanMs',
  'maxMs',
  'restarts',
];

export interface ActorPage {
  readonly total: number;
  readonly matched: number;
  /** Actors the table could not hold (past its limit): counted, not listed. */
  readonly untracked: number;
  readonly sampled: boolean;
  readonly rows: readonly ActorRow[];
}

export interface Failure {
  readonly at: number;
  readonly phase: string;
  readonly messageType: string | null;
  readonly error: { readonly name: string; readonly message: string; readonly stack: string | null };
}

export interface ActorDetail {
  readonly row: ActorRow;
  readonly failures: readonly Failure[];
  readonly moves: readonly Move[];
  readonly children: readonly ActorRow[];
  readonly stopReason: string | null;
}

export interface ChildView {
  readonly id: string;
  readonly actor: ActorRef | null;
  readonly status: 'running' | 'failed' | 'restarting' | 'stopped';
  readonly restarts: number;
  readonly lastError: string | null;
  /** The child is a supervisor: its own tree. */
  readonly tree: TreeView | null;
}

export interface TreeView {
  readonly supervisor: ActorRef;
  readonly id: string;
  readonly children: readonly ChildView[];
  /** Children past the ones listed. */
  readonly more: number;
  /** Restarts inside the intensity window, and the window, when known. */
  readonly intensity: {
    readonly used: number;
    readonly maxRestarts: number | null;
    readonly withinMs: number | null;
  };
  readonly escalations: number;
}

export interface GraphView {
  readonly nodes: readonly (ActorRef & { readonly waiting: boolean; readonly inCycle: boolean })[];
  readonly edges: readonly {
    readonly ask: number;
    readonly from: number;
    readonly to: number;
    readonly messageType: string;
    readonly ageMs: number;
    readonly inCycle: boolean;
  }[];
}

export interface DeadlockView {
  readonly seq: number;
  readonly at: number;
  readonly strategy: string;
  readonly actors: readonly ActorRef[];
  readonly asks: readonly {
    readonly id: number;
    readonly from: number;
    readonly to: number;
    readonly messageType: string;
    readonly ageMs: number;
  }[];
  /** What the strategy did: fail-ask (ask), restart (actor), none; null until resolved. */
  readonly action: { readonly type: string; readonly ask?: number; readonly actor?: number } | null;
}

export interface LogEntry {
  readonly seq: number;
  readonly type: string;
  readonly at: number;
  /** The event as JSON (errors as { name, message, stack }), cut at a few kilobytes. */
  readonly json: string;
}

/** Sent once a second over GET /events (`event: tick`). */
export interface Tick {
  readonly at: number;
  readonly totals: Totals;
  readonly point: Point | null;
  readonly executors: readonly ExecutorView[];
  readonly groups: readonly GroupView[];
  readonly moves: readonly Move[];
  readonly slowest: readonly ActorRow[];
  readonly busiest: readonly ActorRow[];
  readonly deadlocks: {
    readonly total: number;
    readonly recent: readonly DeadlockView[];
    readonly graph: GraphView;
  };
  readonly trees: readonly TreeView[];
  readonly log: readonly LogEntry[];
  readonly types: Readonly<Record<string, number>>;
  /** One message in this many produced per-message events over the last second (1: all; null: none seen). */
  readonly sampling: number | null;
  /** SSE clients connected to this server. */
  readonly clients: number;
  /** Something the page should say (a recording that could not be read to the end). */
  readonly notice: string | null;
}

/** GET /snapshot: everything a newcomer needs to draw the page. */
export interface Snapshot {
  readonly hello: Hello;
  readonly tick: Tick;
  readonly history: readonly Point[];
  readonly actors: ActorPage;
}
