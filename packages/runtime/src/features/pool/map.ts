/**
 * `pool.map(inputs, options)`: results in input order, with at most
 * `concurrency` tasks of the map pending at once — inputs are pulled from the
 * (async) iterable only as tasks end, so a huge or endless source never
 * floods the queue. The first failure is thrown by the iteration and the
 * map's other pending tasks are cancelled (`reason: 'group'`); so are they
 * when the consumer stops early (`break`).
 */
import { checkKeys, checkObject, checkRange } from '../../kernel/validate.ts';
import { Deque } from './deque.ts';
import type { GroupPool } from './group.ts';
import type { TaskOptions } from './options.ts';
import type { Task } from './task.ts';

export interface MapOptions extends TaskOptions {
  /** Most tasks of the map pending at once. Default 64 per worker the pool may have, at least 64. */
  readonly concurrency?: number;
}

const noop = () => {};

export async function* mapTasks<I, R>(
  pool: GroupPool<I, R>,
  inputs: Iterable<I> | AsyncIterable<I>,
  options: MapOptions,
  defaultConcurrency: number,
): AsyncGenerator<R, void, undefined> {
  const path = 'pool.map(options)';
  checkObject(options, path, '{ concurrency?, priority?, timeoutMs?, retry?, signal?, id? }');
  checkKeys(options, ['concurrency', 'priority', 'timeoutMs', 'retry', 'signal', 'id'], path);
  const { concurrency, ...rest } = options;
  const limit =
    concurrency === undefined
      ? defaultConcurrency
      : checkRange(concurrency, `${path}.concurrency`, { min: 1, max: 2 ** 31 - 1, integer: true });
  const taskOptions = Object.keys(rest).length === 0 ? undefined : (rest as TaskOptions);
  const it =
    Symbol.asyncIterator in inputs
      ? (inputs as AsyncIterable<I>)[Symbol.asyncIterator]()
      : (inputs as Iterable<I>)[Symbol.iterator]();
  const pending = new Deque<{ task: Task; promise: Promise<R> }>();
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && pending.length < limit) {
        const n = await it.next();
        if (n.done === true) exhausted = true;
        else {
          const h = pool.enqueue(n.value, taskOptions, 'wait');
          // Observed here so a failure behind the one being awaited is not an unhandled rejection.
          h.promise.catch(noop);
          pending.push(h);
        }
      }
      const h = pending.shift();
      if (h === undefined) return;
      yield await h.promise;
    }
  } finally {
    for (const h of pending) pool.cancel(h.task, 'group');
    if (!exhausted) await it.return?.();
  }
}
