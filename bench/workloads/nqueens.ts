/**
 * NQueens (Savina, N = 12, 20 workers): irregular compute-bound fan-out —
 * every valid placement of the first 3 rows is a work item, handed to the
 * workers round robin. Check: 14,200 solutions.
 * Peers: Piscina (one task per prefix) and the limit (one sequential solve).
 */
import { troupeFanOut } from '../lib/fan-out.ts';
import { piscinaContender } from '../lib/piscina-contender.ts';
import { poolContender } from '../lib/pool-contender.ts';
import { troupeContenders } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, timed, type Workload } from '../lib/types.ts';
import { type BoardMsg, QueensWorker } from './nqueens.actors.ts';
import { prefixes, solveFrom } from './nqueens.task.ts';

interface P {
  n: number;
  workers: number;
  depth: number;
}
const SOLUTIONS: Record<number, number> = { 8: 92, 10: 724, 12: 14200 };

async function troupe(p: P, executors: number): Promise<number> {
  const items = prefixes(p.n, p.depth);
  const board = (prefix: number[], join: BoardMsg['join']) => ({
    type: 'board' as const,
    n: p.n,
    prefix,
    join,
  });
  return troupeFanOut(executors, QueensWorker, p.workers, items, board, (sum) =>
    check('nqueens', 'troupe', SOLUTIONS[p.n], sum),
  );
}

const piscina = (p: P): Contender =>
  piscinaContender(
    new URL('./nqueens.task.ts', import.meta.url),
    () => prefixes(p.n, p.depth).map((prefix) => ({ n: p.n, prefix })),
    (sum) => check('nqueens', 'piscina', SOLUTIONS[p.n], sum),
  );

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
    if (ctx.executorModes.includes(2))
      out.push(
        poolContender(
          new URL('./nqueens.task.ts', import.meta.url),
          () => prefixes(p.n, p.depth).map((prefix) => ({ n: p.n, prefix })),
          (sum) => check('nqueens', 'troupe', SOLUTIONS[p.n], sum),
        ),
      );
    out.push(piscina(p));
    out.push({ system: 'limit', mode: 'sequential solve', run: () => limit(p) });
    return out;
  },
};
