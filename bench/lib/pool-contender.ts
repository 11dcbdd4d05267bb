/**
 * Troupe's task pool (`system.pool`) as a contender beside Piscina: the same
 * task module, one task per work item, on a pool with one worker per
 * executor. The system and the pool are made at the first run and kept until
 * `close()`, so thread start-up stays outside every timed region, as it does
 * for Piscina.
 */
import { type ActorSystem, createSystem, type Pool } from '@troupe/runtime';
import { type Contender, timed } from './types.ts';

/** One system and one pool per contender, made at its first run and kept until `close()`. */
function keptPool<T>(taskFile: URL, executors: number) {
  let made: Promise<{ system: ActorSystem; pool: Pool<T, number> }> | null = null;
  return {
    async pool(): Promise<Pool<T, number>> {
      made ??= (async () => {
        const system = await createSystem({ executors });
        return { system, pool: await system.pool<T, number>(taskFile, { max: executors }) };
      })();
      return (await made).pool;
    },
    async close(): Promise<void> {
      if (made === null) return;
      const { system, pool } = await made;
      await pool.close();
      await system.shutdown({ timeoutMs: 5000 });
    },
  };
}

export function poolContender<T>(
  taskFile: URL,
  tasks: () => readonly T[],
  verify: (sum: number) => void,
  executors = 2,
): Contender {
  const kept = keptPool<T>(taskFile, executors);
  return {
    system: 'troupe',
    mode: `pool, ${executors} executors`,
    async run() {
      const pool = await kept.pool();
      const items = tasks();
      let sum = 0;
      const ms = await timed(async () => {
        const parts = await Promise.all(items.map((t) => pool.submit(t)));
        for (const a of parts) sum += a;
      });
      verify(sum);
      return ms;
    },
    close: () => kept.close(),
  };
}

/** Sequential round trips of a no-op task (submit, await, repeat): per-task overhead, no overlap. */
export function poolRoundTrips(taskFile: URL, n: number, executors = 2): Contender {
  const kept = keptPool<number>(taskFile, executors);
  return {
    system: 'troupe',
    mode: `pool, ${executors} executors`,
    async run() {
      const pool = await kept.pool();
      let sum = 0;
      const ms = await timed(async () => {
        for (let i = 0; i < n; i++) sum += await pool.submit(i);
      });
      if (sum !== (n * (n - 1)) / 2) throw new Error(`pool round trips: sum ${sum}`);
      return ms;
    },
    close: () => kept.close(),
  };
}
