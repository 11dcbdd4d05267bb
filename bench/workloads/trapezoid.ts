/**
 * Trapezoid (Savina, 10,000,000 pieces, 100 workers): compute-bound fan-out
 * of a numerical integral of Savina's fx over [1, 5].
 * Peers: Piscina (the same slices as tasks on worker threads) and the limit
 * (one loop over every piece in this thread). Check: the total area agrees
 * with the limit's to 1e-9 (slices finish in any order, so the last bits of
 * the sum may differ).
 */
import { bareThreadsContender } from '../lib/bare-threads.ts';
import { troupeFanOut } from '../lib/fan-out.ts';
import { piscinaContender } from '../lib/piscina-contender.ts';
import { poolContender } from '../lib/pool-contender.ts';
import { troupeContenders } from '../lib/troupe.ts';
import { type Contender, type SuiteContext, timed, type Workload, WrongAnswer } from '../lib/types.ts';
import { type SliceMsg, TrapezoidWorker } from './trapezoid.actors.ts';
import { area } from './trapezoid.task.ts';

interface P {
  pieces: number;
  workers: number;
}
const L = 1;
const R = 5;
const reference = new Map<number, number>();

function expectArea(p: P, system: string, got: number): void {
  let want = reference.get(p.pieces);
  if (want === undefined) reference.set(p.pieces, (want = area(L, R, (R - L) / p.pieces)));
  if (!(Math.abs(got - want) <= 1e-9 * Math.abs(want))) throw new WrongAnswer('trapezoid', system, want, got);
}

type Slice = { l: number; r: number; h: number };

function slices(p: P): Slice[] {
  const h = (R - L) / p.pieces;
  const w = (R - L) / p.workers;
  return Array.from({ length: p.workers }, (_, i) => ({ l: L + i * w, r: L + (i + 1) * w, h }));
}

async function troupe(p: P, executors: number): Promise<number> {
  const slice = (s: Slice, join: SliceMsg['join']) => ({ type: 'slice' as const, ...s, join });
  return troupeFanOut(executors, TrapezoidWorker, p.workers, slices(p), slice, (sum) =>
    expectArea(p, 'troupe', sum),
  );
}

const piscina = (p: P): Contender =>
  piscinaContender(
    new URL('./trapezoid.task.ts', import.meta.url),
    () => slices(p),
    (sum) => expectArea(p, 'piscina', sum),
  );

async function limit(p: P): Promise<number> {
  let a = 0;
  const ms = await timed(() => {
    a = area(L, R, (R - L) / p.pieces);
  });
  expectArea(p, 'limit', a);
  return ms;
}

export const trapezoid: Workload<P> = {
  name: 'trapezoid',
  title: 'Trapezoid',
  unit: 'pieces',
  params: (quick) => (quick ? { pieces: 100_000, workers: 10 } : { pieces: 10_000_000, workers: 100 }),
  describe: (p) => `${p.pieces.toLocaleString('en-US')} pieces, ${p.workers} workers`,
  units: (p) => p.pieces,
  contenders(p, ctx: SuiteContext): Contender[] {
    const out = troupeContenders(ctx, (e) => troupe(p, e));
    if (ctx.executorModes.includes(2))
      out.push(
        poolContender(
          new URL('./trapezoid.task.ts', import.meta.url),
          () => slices(p),
          (sum) => expectArea(p, 'troupe', sum),
        ),
      );
    out.push(piscina(p));
    out.push({ system: 'limit', mode: 'single loop, this thread', run: () => limit(p) });
    out.push(
      bareThreadsContender(
        new URL('./trapezoid.task.ts', import.meta.url),
        () => slices(p),
        (sum) => expectArea(p, 'limit', sum),
      ),
    );
    return out;
  },
};
