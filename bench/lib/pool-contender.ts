/**
 * Troupe's task pool (`system.pool`) as a contender beside Piscina: the same
 * task module, one task per work item, on a pool with one worker per
 * executor. The system and the pool are made at the first run and kept until
 * `close()`, so thread start-up stays outside every timed region, as it does
 * for Piscina.
 */
import { type ActorSystem, createSystem, type Pool } from '@troupe/runtime';
import { type Contender, timed } from './types.ts';

export function poolContender<T>(
  taskFile: URL,
  tasks: () => readonly T[],
  verify: (sum: number) => void,
  executors = 2,
): Contender {
  let made: Promise<{ system: ActorSystem; pool: Pool<T, number> }> | null = null;
  return {
    system: 'troupe',
    mode: `pool, ${executors} executors`,
    async run() {
      made ??= (async () => {
        const system = await createSystem({ executors });
        return { system, pool: await system.pool<T, number>(taskFile, { max: executors }) };
      })();
      const { pool } = await made;
      const items = tasks();
      let sum = 0;
      const ms = await timed(async () => {
        const parts = await Promise.all(items.map((t) => pool.submit(t)));
        for (const a of parts) sum += a;
      });
      verify(sum);
      return ms;
    },
    async close() {
      if (made === null) return;
      const { system, pool } = await made;
      await pool.close();
      await system.shutdown({ timeoutMs: 5000 });
    },
  };
}

/** Sequential round trips of a no-op task (submit, await, repeat): per-task overhead, no overlap. */
export function poolRoundTrips(taskFile: URL, n: number, executors = 2): Contender {
  let made: Promise<{ system: ActorSystem; pool: Pool<number, number> }> | null = null;
  return {
    system: 'troupe',
    mode: `pool, ${executors} executors`,
    async run() {
      made ??= (async () => {
        const system = await createSystem({ executors });
        return { system, pool: await system.pool<number, number>(taskFile, { max: executors }) };
      })();
      const { pool } = await made;
      let sum = 0;
      const ms = await timed(async () => {
        for (let i = 0; i < n; i++) sum += await pool.submit(i);
      });
      if (sum !== (n * (n - 1)) / 2) throw new Error(`pool round trips: sum ${sum}`);
      return ms;
    },
    async close() {
      if (made === null) return;
      const { system, pool } = await made;
      await pool.close();
      await system.shutdown({ timeoutMs: 5000 });
    },
  };
}
