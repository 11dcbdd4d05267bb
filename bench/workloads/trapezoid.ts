/**
 * Trapezoid (Savina, 10,000,000 pieces, 100 workers): compute-bound fan-out
 * of a numerical integral of Savina's fx over [1, 5].
 * Peers: Piscina (the same slices as tasks on worker threads) and the limit
 * (one loop over every piece in this thread). Check: the total area agrees
 * with the limit's to 1e-9 (slices finish in any order, so the last bits of
 * the sum may differ).
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import { pollResult, troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, type SuiteContext, timed, type Workload, WrongAnswer } from '../lib/types.ts';
import { Join, type JoinResult } from './common.actors.ts';
import { TrapezoidWorker } from './trapezoid.actors.ts';
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

function slices(p: P): Array<{ l: number; r: number; h: number }> {
  const h = (R - L) / p.pieces;
  const w = (R - L) / p.workers;
  return Array.from({ length: p.workers }, (_, i) => ({ l: L + i * w, r: L + (i + 1) * w, h }));
}

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const join = await spawn(Join, { expect: p.workers });
    const workers = [];
    for (let i = 0; i < p.workers; i++) workers.push(await spawn(TrapezoidWorker, undefined));
    const msgs = slices(p).map((s) => ({ type: 'slice' as const, ...s, join }));
    const t0 = performance.now();
    for (let i = 0; i < p.workers; i++) workers[i]!.tell(msgs[i]!);
    const r = await pollResult<JoinResult>(join, executors);
    const ms = performance.now() - t0;
    expectArea(p, 'troupe', r.sum);
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
        filename: new URL('./trapezoid.task.ts', import.meta.url).href,
        minThreads: threads,
        maxThreads: threads,
      });
      const tasks = slices(p);
      const pl = pool;
      let sum = 0;
      const ms = await timed(async () => {
        const parts = await Promise.all(tasks.map((t) => pl.run(t) as Promise<number>));
        for (const a of parts) sum += a;
      });
      expectArea(p, 'piscina', sum);
      return ms;
    },
    async close() {
      await pool?.destroy();
    },
  };
}

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
    out.push(piscina(p));
    out.push({ system: 'limit', mode: 'single loop, this thread', run: () => limit(p) });
    return out;
  },
};
