/**
 * Executors by NUMA group, from the `executor.metrics` events the runtime
 * emits every second while `events$` is subscribed, and the moves between
 * them (`actor.migrated`, one per actor) as they happen.
 */
import type { ExecutorMetrics, SchedulerMetrics } from '@troupe/runtime';
import type { ActorRef, ExecutorView, GroupView, Move } from '../protocol.ts';
import { Ring } from '../ring.ts';

const HISTORY = 60;
const MOVES_KEPT = 500;

interface Exec {
  m: ExecutorMetrics | null;
  compactions: number;
  history: Ring<number>;
}

export class Executors {
  private readonly execs = new Map<number, Exec>();
  readonly moves = new Ring<Move>(MOVES_KEPT);
  private groups: GroupView[] = [];
  private readonly faultsOf = new Map<number, number>();
  totalFaults = 0;

  private exec(id: number): Exec {
    let e = this.execs.get(id);
    if (e === undefined) {
      if (this.execs.size >= 1024) return { m: null, compactions: 0, history: new Ring(1) };
      this.execs.set(id, (e = { m: null, compactions: 0, history: new Ring<number>(HISTORY) }));
    }
    return e;
  }

  metrics(m: SchedulerMetrics): void {
    if (m === null || typeof m !== 'object' || !Array.isArray(m.executors)) return;
    const live = new Set<number>();
    for (const x of m.executors) {
      if (typeof x?.id !== 'number') continue;
      live.add(x.id);
      const e = this.exec(x.id);
      e.m = x;
      e.history.push(Number(x.workerUtilization) || 0);
    }
    // Retired or lost executors leave the board: they leave the view too.
    for (const id of [...this.execs.keys()]) if (!live.has(id)) this.execs.delete(id);
    this.groups = Array.isArray(m.groups)
      ? m.groups.slice(0, 64).map((g) => ({
          group: g.group,
          executors: [...(g.executors ?? [])].slice(0, 1024),
          utilization: Number(g.workerUtilization) || 0,
          queueDepth: Number(g.queueDepth) || 0,
        }))
      : [];
  }

  moved(actor: ActorRef | null, from: number, to: number, reason: string, at: number, count = 1): void {
    this.moves.push({ seq: this.moves.seq, at, actor, from, to, reason, count });
  }

  compaction(from: number): void {
    if (typeof from === 'number' && this.execs.has(from)) this.exec(from).compactions++;
  }

  /**
   * `lost` was lost (crashed or hung) and `replacement` took its place: the replacement carries
   * the slot's fault count, so the view says how often that place in the pool failed.
   */
  replaced(lost: number, replacement: number): void {
    this.totalFaults++;
    if (typeof replacement !== 'number') return;
    const before = this.faultsOf.get(lost) ?? 0;
    this.faultsOf.delete(lost);
    if (this.faultsOf.size < 1024) this.faultsOf.set(replacement, before + 1);
  }

  view(): { executors: ExecutorView[]; groups: GroupView[] } {
    const executors: ExecutorView[] = [];
    for (const [id, e] of [...this.execs.entries()].sort((a, b) => a[0] - b[0])) {
      const m = e.m;
      const successes = m?.stealSuccesses ?? 0;
      const cross = m?.numaCrossings ?? 0;
      executors.push({
        id,
        group: m?.group ?? 0,
        threadId: m?.threadId ?? null,
        utilization: m?.workerUtilization ?? 0,
        queueDepth: m?.queueDepth ?? 0,
        actors: m?.actors ?? 0,
        stealsOwn: successes - cross,
        stealsCross: cross,
        stealAttempts: m?.stealAttempts ?? 0,
        migrations: m?.migrations ?? 0,
        compactions: e.compactions,
        faults: this.faultsOf.get(id) ?? 0,
        tasksCompleted: m?.tasksCompleted ?? 0,
        eventsDropped: m?.eventsDropped ?? 0,
        history: e.history.toArray(),
      });
    }
    return { executors, groups: this.groups };
  }
}
