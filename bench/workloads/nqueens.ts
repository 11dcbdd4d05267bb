/**
 * NQueens (Savina, N = 12, 20 workers): irregular compute-bound fan-out —
 * every valid placement of the first 3 rows is a work item, handed to the
 * workers round robin. Check: 14,200 solutions.
 * Peers: Piscina (one task per prefix) and the limit (one sequential solve).
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import { pollResult, troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, timed, type Workload } from '../lib/types.ts';
import { Join, type JoinResult } from './common.actors.ts';
import { QueensWorker } from './nqueens.actors.ts';
import { prefixes, solveFrom } from './nqueens.task.ts';

interface P {
  n: number;
  workers: number;
  depth: number;
}
const SOLUTIONS: Record<number, number> = { 8: 92, 10: 724, 12: 14200 };

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const items = prefixes(p.n, p.depth);
    const join = await spawn(Join, { expect: items.length });
    const workers = [];
    for (let i = 0; i < p.workers; i++) workers.push(await spawn(QueensWorker, undefined));
    const msgs = items.map((prefix) => ({ type: 'board' as const, n: p.n, prefix, join }));
    const t0 = performance.now();
    for (let i = 0; i < msgs.length; i++) workers[i % p.workers]!.tell(msgs[i]!);
    const r = await pollResult<JoinResult>(join, executors);
    const ms = performance.now() - t0;
    check('nqueens', 'troupe', SOLUTIONS[p.n], r.sum);
    return ms;
  });
}

const threads = os.availableParallelism();

function piscina(p: P): Contender {
  let pool: Piscina | null = null;
  return {
    system: 'piscina',
    mode: `${threads} threads`,
    async run() {
      pool ??= new Piscina({
        filename: new URL('./nqueens.task.ts', import.meta.url).href,
        minThreads: threads,
        maxThreads: threads,
      });
      const pl = pool;
      const tasks = prefixes(p.n, p.depth).map((prefix) => ({ n: p.n, prefix }));
      let sum = 0;
      const ms = await timed(async () => {
        const counts = await Promise.all(tasks.map((t) => pl.run(t) as Promise<number>));
        for (const c of counts) sum += c;
      });
      check('nqueens', 'piscina', SOLUTIONS[p.n], sum);
      return ms;
    },
    async close() {
      await pool?.destroy();
    },
  };
}

async function limit(p: P): Promise<number> {
  let n = 0;
  const ms = await timed(() => {
    n = solveFrom(p.n, []);
  });
  check('nqueens', 'limit', SOLUTIONS[p.n], n);
  return ms;
}

export const nqueens: Workload<P> = {
  name: 'nqueens',
  title: 'NQueens',
  unit: 'solutions',
  params: (quick) => (quick ? { n: 8, workers: 4, depth: 2 } : { n: 12, workers: 20, depth: 3 }),
  describe: (p) => `N = ${p.n}, ${p.workers} workers, ${prefixes(p.n, p.depth).length} work items`,
  units: (p) => SOLUTIONS[p.n]!,
  contenders(p, ctx: SuiteContext): Contender[] {
    const out = troupeContenders(ctx, (e) => troupe(p, e));
    out.push(piscina(p));
    out.push({ system: 'limit', mode: 'sequential solve', run: () => limit(p) });
    return out;
  },
};
