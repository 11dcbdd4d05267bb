/**
 * Piscina as a contender for the compute-bound fan-outs (NQueens, Trapezoid):
 * one task per work item on a pool of one thread per core, the tasks' numeric
 * results summed. The pool is created at the first run and kept until
 * `close()`, so thread start-up stays outside every timed region, as system
 * creation does for the other contenders.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import { type Contender, timed } from './types.ts';

const threads = os.availableParallelism();

/**
 * `taskFile` is the task module's URL; `tasks` builds this run's inputs (outside
 * the timing); `verify` checks the sum (throwing `WrongAnswer`).
 */
export function piscinaContender<T>(
  taskFile: URL,
  tasks: () => readonly T[],
  verify: (sum: number) => void,
): Contender {
  let pool: Piscina | null = null;
  return {
    system: 'piscina',
    mode: `${threads} threads`,
    async run() {
      pool ??= new Piscina({ filename: taskFile.href, minThreads: threads, maxThreads: threads });
      const pl = pool;
      const items = tasks();
      let sum = 0;
      const ms = await timed(async () => {
        const parts = await Promise.all(items.map((t) => pl.run(t) as Promise<number>));
        for (const a of parts) sum += a;
      });
      verify(sum);
      return ms;
    },
    async close() {
      await pool?.destroy();
    },
  };
}
