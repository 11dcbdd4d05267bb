/**
 * Scheduler metrics (names from the seed designs): per executor and per NUMA
 * group, read from the board. `workerUtilization` is the fraction of wall
 * time the executor spent running actors since the previous `metrics()` call
 * (since it started, on the first call).
 */
import { type Board, type ExecutorHandle, SLOT } from '@troupe/scheduler';
import type { FaultCounts } from './recovery.ts';

export interface ExecutorMetrics {
  readonly id: number;
  readonly group: number;
  readonly threadId: number;
  readonly queueDepth: number;
  readonly workerUtilization: number;
  readonly stealAttempts: number;
  readonly stealSuccesses: number;
  readonly numaCrossings: number;
  readonly migrations: number;
  readonly tasksCompleted: number;
  readonly actors: number;
  /** Events posted to the main thread and not read there yet (at most EVENT_WINDOW, event-window.ts). */
  readonly eventsQueued: number;
  /** Per-message events dropped because the window to a slow `events$` subscriber was full. */
  readonly eventsDropped: number;
}

export interface GroupMetrics {
  readonly group: number;
  readonly executors: readonly number[];
  readonly queueDepth: number;
  readonly workerUtilization: number;
  readonly stealAttempts: number;
  readonly stealSuccesses: number;
  readonly numaCrossings: number;
  readonly migrations: number;
  readonly tasksCompleted: number;
}

export interface SchedulerMetrics {
  readonly executors: readonly ExecutorMetrics[];
  readonly groups: readonly GroupMetrics[];
  /** Executors lost and replaced (executors/recovery.ts); absent in-thread. */
  readonly faults?: FaultCounts;
}

export function metricsFromBoard(
  board: Board,
  handles: ReadonlyMap<number, ExecutorHandle>,
  last: Map<number, { busy: number; at: number }>,
  now: number,
): SchedulerMetrics {
  const executors: ExecutorMetrics[] = [];
  const wall = performance.timeOrigin + now;
  for (const n of board.executors()) {
    const busy = board.get(n, SLOT.busyMs);
    const prev = last.get(n) ?? { busy: 0, at: board.get(n, SLOT.startedAt) };
    const span = wall - prev.at;
    last.set(n, { busy, at: wall });
    executors.push({
      id: n,
      group: board.get(n, SLOT.group),
      threadId: handles.get(n)?.threadId ?? board.get(n, SLOT.threadId),
      queueDepth: board.get(n, SLOT.queueDepth),
      workerUtilization: span > 0 ? Math.min(1, Math.max(0, (busy - prev.busy) / span)) : 0,
      stealAttempts: board.get(n, SLOT.stealAttempts),
      stealSuccesses: board.get(n, SLOT.stealSuccesses),
      numaCrossings: board.get(n, SLOT.numaCrossings),
      migrations: board.get(n, SLOT.migrations),
      tasksCompleted: board.get(n, SLOT.tasksCompleted),
      actors: board.get(n, SLOT.actors),
      eventsQueued: Math.max(0, board.get(n, SLOT.eventsForwarded) - board.get(n, SLOT.eventsRead)),
      eventsDropped: board.get(n, SLOT.eventsDropped),
    });
  }
  const byGroup = new Map<number, ExecutorMetrics[]>();
  for (const e of executors) byGroup.set(e.group, [...(byGroup.get(e.group) ?? []), e]);
  const sum = (es: ExecutorMetrics[], k: keyof ExecutorMetrics) =>
    es.reduce((a, e) => a + (e[k] as number), 0);
  const groups: GroupMetrics[] = [...byGroup.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([group, es]) => ({
      group,
      executors: es.map((e) => e.id),
      queueDepth: sum(es, 'queueDepth'),
      workerUtilization: sum(es, 'workerUtilization') / es.length,
      stealAttempts: sum(es, 'stealAttempts'),
      stealSuccesses: sum(es, 'stealSuccesses'),
      numaCrossings: sum(es, 'numaCrossings'),
      migrations: sum(es, 'migrations'),
      tasksCompleted: sum(es, 'tasksCompleted'),
    }));
  return { executors, groups };
}
