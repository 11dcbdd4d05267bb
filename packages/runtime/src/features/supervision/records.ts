/**
 * Child records: what a supervisor knows about each child spec — the
 * current incarnation, whether it is alive, stopping, suspended or due for a
 * restart.
 *
 * Invariant: at most one live incarnation per record; a record's `ref` is
 * replaced only once the previous incarnation has exited (or, for an
 * in-place restart, is the same ref).
 */
import type { ActorCell } from '../../kernel/cell.ts';
import { cellOf } from '../../kernel/cell-of.ts';
import type { TimerHandle } from '../../kernel/clock.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import type { ChildSpec } from './spec.ts';

export interface ChildRecord {
  readonly spec: ChildSpec;
  /** Current incarnation (the last one started). */
  ref: ActorRef | undefined;
  /** The current incarnation has not exited yet. */
  alive: boolean;
  /** We asked the current incarnation to stop. */
  stopping: boolean;
  /** Once a requested stop completes and no restart is pending: keep the spec, or delete it. */
  afterExit: 'keep' | 'delete';
  /** Held (suspended) by its own failure or by a sibling's restart. */
  suspended: boolean;
  /**
   * A restart is scheduled: `waiting` for its delay, `due`, or `restarting`:
   * told to re-initialise in place, the supervisor waits for the child to
   * report back before it restarts the next child (start order).
   */
  pending: 'none' | 'waiting' | 'due' | 'restarting';
  delayMs: number;
  restarts: number;
  /** Backoff exponent: consecutive restarts without `resetAfterMs` of calm. */
  attempt: number;
  startedAt: number;
  /** A sub-supervisor has reported its whole tree started. */
  treeStarted: boolean;
  stopTimer: TimerHandle | null;
  exitWaiters: Array<() => void>;
}

export function newRecord(spec: ChildSpec): ChildRecord {
  return {
    spec,
    ref: undefined,
    alive: false,
    stopping: false,
    afterExit: 'keep',
    suspended: false,
    pending: 'none',
    delayMs: 0,
    restarts: 0,
    attempt: 0,
    startedAt: 0,
    treeStarted: false,
    stopTimer: null,
    exitWaiters: [],
  };
}

/**
 * The parent's child set in spec order (live incarnations first, in record
 * order, then anything else it holds); the same set when already in order.
 */
export function inStartOrder(records: readonly ChildRecord[], kids: Set<ActorCell>): Set<ActorCell> {
  if (kids.size < 2) return kids;
  const ordered = new Set<ActorCell>();
  for (const r of records) {
    const c = r.alive && r.ref !== undefined ? cellOf(r.ref) : null;
    if (c != null && kids.has(c)) ordered.add(c);
  }
  for (const c of kids) ordered.add(c);
  let i = 0;
  const a = [...ordered];
  for (const c of kids) if (c !== a[i++]) return ordered;
  return kids;
}
