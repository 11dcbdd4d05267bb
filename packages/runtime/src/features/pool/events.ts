/**
 * A pool's own event stream (`pool.events$`): backpressure, workers lost and
 * resized, close. Built only while someone listens (an event per rejected
 * submit would otherwise cost every flood).
 */
import type { PoolCloseReport } from './stats.ts';

interface At {
  readonly pool: string;
  /** The system clock's time. */
  readonly at: number;
}

/** A submit met a full queue: it was rejected (PoolFullError) or waits for room. */
export interface PoolFullEvent extends At {
  readonly type: 'pool.full';
  readonly action: 'reject' | 'wait';
  readonly capacity: number;
  readonly waiting: number;
}

/** Submits that waited for room got into the queue. */
export interface PoolRoomEvent extends At {
  readonly type: 'pool.room';
  readonly admitted: number;
  readonly waiting: number;
}

/** A worker was lost (its executor hung or crashed, or it was stopped under the pool). */
export interface PoolWorkerLostEvent extends At {
  readonly type: 'pool.worker-lost';
  readonly reason: string;
  /** Handed tasks it had not started: back in the queue. */
  readonly requeued: number;
  /** The task it was running: failed with TaskLostError (0 or 1, more for async tasks). */
  readonly lost: number;
}

export interface PoolResizedEvent extends At {
  readonly type: 'pool.resized';
  readonly min: number;
  readonly max: number;
}

export interface PoolClosedEvent extends At {
  readonly type: 'pool.closed';
  readonly report: PoolCloseReport;
}

export type PoolEvent =
  | PoolFullEvent
  | PoolRoomEvent
  | PoolWorkerLostEvent
  | PoolResizedEvent
  | PoolClosedEvent;
