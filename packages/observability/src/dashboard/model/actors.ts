/**
 * The actors table (observer's Processes tab) built from events: one row per
 * live actor, at most `limit` of them; stopped ones move to a small ring so a
 * detail page opened a moment later still finds them.
 *
 * Per-message events may be sampled: each counts for `weight` messages (the
 * source measures how many messages one sampled event stands for), so counts
 * and the mailbox estimate are exact at weight 1 and estimates above it.
 */
import type { ActorDescription } from '@troupe/runtime';
import type { ActorPage, ActorRow, ActorSort, Failure } from '../protocol.ts';
import { Ring } from '../ring.ts';

/**
 * Actor ids embed the node (0: main thread, n: executor n) they were born on in their low bits
 * (runtime kernel/host.ts NODE_SPACE); `actor.migrated` events say where they went next.
 */
const NODE_SPACE = 1024;
const FAILURES_PER_ACTOR = 5;
const STOPPED_KEPT = 500;

export class Row {
  executor: number;
  parent: number | null = null;
  status: 'alive' | 'stopped' = 'alive';
  sent = 0;
  received = 0;
  processed = 0;
  handlerMs = 0;
  handlerN = 0;
  maxMs = 0;
  restarts = 0;
  failureCount = 0;
  failures: Ring<Failure> | null = null;
  lastActive: number;
  stopReason: string | null = null;
  /** `processed` at the previous tick, and what it grew by between the two before (busiest actors). */
  processedBefore = 0;
  perSec = 0;

  constructor(
    readonly id: number,
    readonly name: string | null,
    readonly def: string,
    at: number,
  ) {
    this.executor = id % NODE_SPACE;
    this.lastActive = at;
  }

  view(): ActorRow {
    return {
      id: this.id,
      name: this.name,
      def: this.def,
      executor: this.executor,
      parent: this.parent,
      status: this.status,
      mailbox: Math.max(0, Math.round(this.sent - this.received)),
      processed: Math.round(this.processed),
      perSec: Math.round(this.perSec),
      meanMs: this.handlerN > 0 ? this.handlerMs / this.handlerN : null,
      maxMs: this.handlerN > 0 ? this.maxMs : null,
      restarts: this.restarts,
      failures: this.failureCount,
      lastActive: this.lastActive,
    };
  }
}

export class ActorTable {
  readonly rows = new Map<number, Row>();
  readonly stopped = new Ring<Row>(STOPPED_KEPT);
  /** Live actors the table had no room for. */
  untracked = 0;

  constructor(readonly limit: number) {}

  /** The row of `a`, made on first sight while there is room (actors spawned before we listened appear so). */
  row(a: ActorDescription | undefined, at: number): Row | undefined {
    if (a === undefined || a === null || typeof a.id !== 'number') return undefined;
    const r = this.rows.get(a.id);
    if (r !== undefined) return r;
    if (this.rows.size >= this.limit) return undefined;
    const made = new Row(a.id, typeof a.name === 'string' ? a.name : null, String(a.def), at);
    this.rows.set(a.id, made);
    return made;
  }

  spawned(a: ActorDescription, parent: ActorDescription | undefined, at: number): void {
    if (this.rows.size >= this.limit && !this.rows.has(a.id)) {
      this.untracked++;
      return;
    }
    const r = this.row(a, at);
    if (r !== undefined && parent !== undefined && parent !== null) r.parent = parent.id;
  }

  stop(a: ActorDescription, reason: string, at: number): void {
    const r = this.rows.get(a?.id);
    if (r === undefined) {
      if (this.untracked > 0) this.untracked--;
      return;
    }
    this.rows.delete(r.id);
    r.status = 'stopped';
    r.stopReason = reason;
    r.lastActive = at;
    this.stopped.push(r);
  }

  failed(a: ActorDescription, f: Failure): void {
    const r = this.row(a, f.at);
    if (r === undefined) return;
    r.failureCount++;
    (r.failures ??= new Ring<Failure>(FAILURES_PER_ACTOR)).push(f);
  }

  find(id: number): Row | undefined {
    return this.rows.get(id) ?? this.stopped.toArray().find((r) => r.id === id);
  }

  /** Rows matching `filter` (id, name or definition, case-insensitive), sorted, one page of them. */
  page(
    q: { sort: ActorSort; desc: boolean; filter: string; offset: number; limit: number },
    sampled: boolean,
  ): ActorPage {
    const f = q.filter.toLowerCase();
    const views: ActorRow[] = [];
    for (const r of this.rows.values()) {
      if (f !== '' && !matches(r, f)) continue;
      views.push(r.view());
    }
    const key = q.sort;
    const sign = q.desc ? -1 : 1;
    views.sort((a, b) => sign * compare(a[key], b[key]) || a.id - b.id);
    return {
      total: this.rows.size,
      matched: views.length,
      untracked: this.untracked,
      sampled,
      rows: views.slice(q.offset, q.offset + q.limit),
    };
  }

  /** The `n` rows with the largest `score`, largest first (one pass, no full sort). */
  top(n: number, score: (r: Row) => number): ActorRow[] {
    const best: { r: Row; s: number }[] = [];
    for (const r of this.rows.values()) {
      const s = score(r);
      if (!(s > 0)) continue;
      if (best.length < n) best.push({ r, s });
      else if (s > best[n - 1]!.s) best[n - 1] = { r, s };
      else continue;
      best.sort((a, b) => b.s - a.s);
    }
    return best.map((b) => b.r.view());
  }
}

function matches(r: Row, f: string): boolean {
  return (
    String(r.id).includes(f) || r.name?.toLowerCase().includes(f) === true || r.def.toLowerCase().includes(f)
  );
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
