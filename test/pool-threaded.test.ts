import { BroadcastChannel } from 'node:worker_threads';
import {
  type ActorSystem,
  createSystem,
  isTaskCancelledError,
  isTaskLostError,
  isUnserializableError,
} from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { FAST } from './fault-helpers.ts';

const tasks = new URL('./fixtures/pool/tasks.ts', import.meta.url);
let system: ActorSystem | undefined;

afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

const rejection = (p: Promise<unknown>): Promise<any> =>
  p.then(
    (v) => {
      throw new Error(`expected a rejection, got ${String(v)}`);
    },
    (e: unknown) => e,
  );

describe('system.pool on executor threads', () => {
  it('runs a TypeScript task module on both executor threads', async () => {
    system = await createSystem({ executors: 2, topology: { groups: [[0], [1]] } });
    const pool = await system.pool<number, { threadId: number; out: number }>(tasks, { max: 2 });
    expect(pool.stats().workers).toBe(2);
    const rs = await pool.submitAll(Array.from({ length: 40 }, (_, i) => i));
    expect(rs.map((r) => r.out)).toEqual(Array.from({ length: 40 }, (_, i) => i * 2));
    const executors = system.metrics().executors.map((e) => e.threadId);
    expect(new Set(rs.map((r) => r.threadId))).toEqual(new Set(executors));
    expect(executors).toHaveLength(2);
    await pool.close();
  });

  it('a throwing task fails its own promise with its error (class and message) across the thread', async () => {
    system = await createSystem({ executors: 2 });
    const pool = await system.pool({ module: tasks, export: 'boom' }, { max: 2 });
    const e = await rejection(pool.submit('x'));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe('boom x');
    expect(pool.stats()).toMatchObject({ failedTasks: 1, workers: 2 });
  });

  it('an AbortSignal reaches a running task on another thread (its signal aborts, the worker is free again)', async () => {
    system = await createSystem({ executors: 2 });
    const pool = await system.pool<string | null, string>(
      { module: tasks, export: 'untilAborted' },
      { max: 1 },
    );
    // An explicit event, not a sleep: the task says on a channel that it runs on its thread.
    const ch = new BroadcastChannel('pool-test');
    const started = new Promise((r) => {
      ch.onmessage = (m) => r((m as MessageEvent).data);
    });
    const ac = new AbortController();
    const p = pool.submit('a', { signal: ac.signal });
    expect(await started).toBe('started a');
    ch.close();
    ac.abort();
    const e = await rejection(p);
    expect(isTaskCancelledError(e)).toBe(true);
    expect(e.context).toMatchObject({ reason: 'aborted', started: true });
    // One worker: it takes the next task only once the aborted run has ended on its thread.
    expect(await pool.submit(null)).toBe('now');
    await pool.close();
  });

  it('an unserializable input or result fails that task alone with UnserializableError', async () => {
    system = await createSystem({ executors: 2 });
    const pool = await system.pool<unknown, unknown>(tasks, { max: 1 });
    const e = await rejection(pool.submit(() => 1));
    expect(isUnserializableError(e)).toBe(true);
    expect(await pool.submit(2)).toMatchObject({ out: 4 });
    const bad = await system.pool({ module: tasks, export: 'unsendable' }, { max: 1 });
    expect(isUnserializableError(await rejection(bad.submit(1)))).toBe(true);
    expect(isUnserializableError(await rejection(bad.submit(2)))).toBe(true); // still serving
    expect(pool.stats()).toMatchObject({ failedTasks: 1, completedTasks: 1, pendingTasks: 0 });
    await Promise.all([pool.close(), bad.close()]);
  });

  it('a task that hangs its executor is caught by the watchdog and fails typed; the pool keeps serving', async () => {
    system = await createSystem({ executors: 2, ...FAST });
    const pool = await system.pool<string, string>({ module: tasks, export: 'hang' }, { max: 2 });
    const e = await rejection(pool.submit('hang', { id: 'spinner' }));
    expect(isTaskLostError(e)).toBe(true);
    expect(e.context).toEqual({ pool: pool.name, task: 'spinner', reason: 'executor-hung' });
    const after = await Promise.all(['a', 'b', 'c', 'd'].map((x) => pool.submit(x)));
    expect(after).toEqual(['a', 'b', 'c', 'd']);
    expect(pool.stats()).toMatchObject({ failedTasks: 1, completedTasks: 4, pendingTasks: 0 });
    await pool.close();
  });
});
