/**
 * Task pools (`system.pool`): the seeds' pool APIs as a facade over actors.
 * `createPool` validates the task and the options, loads the task module on
 * this thread (a missing export is a ConfigError now, not on the first task),
 * publishes the pool's board and starts `min` workers.
 */
import { randomUUID } from 'node:crypto';
import { PoolBoard as Board, type PoolBoard, publishBoard } from './board.ts';
import type { PoolOptions, TaskFunction, TaskSource } from './options.ts';
import { resolvePoolOptions } from './options.ts';
import { Pool, type PoolPort } from './pool.ts';
import { localTasks, taskFunction, taskRefOf } from './task-source.ts';
import { Workers } from './workers.ts';

export type { PoolEvent } from './events.ts';
export type { GroupOptions, TaskGroup } from './group.ts';
export type { MapOptions } from './map.ts';
export type {
  FailedTaskInfo,
  PoolOptions,
  TaskContext,
  TaskFunction,
  TaskModule,
  TaskOptions,
  TaskRetryOptions,
  TaskSource,
} from './options.ts';
export { Pool, type PoolPort } from './pool.ts';
export type { Percentiles } from './samples.ts';
export type { PoolCloseReport, PoolStats } from './stats.ts';
export { POOL_WORKER, PoolWorker } from './worker.ts';

export async function createPool<I, R>(
  port: PoolPort,
  task: TaskSource<I, R>,
  options: PoolOptions | undefined,
): Promise<Pool<I, R>> {
  const threaded = port.executors > 0;
  const ref = taskRefOf(task, threaded);
  const opts = resolvePoolOptions(options, threaded ? port.executors : 1, 'system.pool(task, options)');
  const id = randomUUID();
  if (ref.module === null) localTasks.set(id, task as TaskFunction);
  else await taskFunction(id, ref);
  const board: PoolBoard = new Board();
  const withdraw = publishBoard(id, board);
  const release = () => {
    withdraw();
    localTasks.delete(id);
  };
  const pool = new Pool<I, R>(port, id, opts, board, Workers.props(id, opts.name, ref), release);
  try {
    await pool.start();
  } catch (e) {
    await pool.destroy();
    throw e;
  }
  return pool;
}
