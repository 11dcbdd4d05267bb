/**
 * Dining philosophers (Savina, 20 philosophers, 10,000 rounds): a contended
 * resource behind one actor, with retries. Check: 200,000 meals served.
 */
import { pollResult, troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, type Workload } from '../lib/types.ts';
import { Join, type JoinResult } from './common.actors.ts';
import { Arbiter, Philosopher } from './philosophers.actors.ts';

interface P {
  philosophers: number;
  rounds: number;
}

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const join = await spawn(Join, { expect: 1 });
    const arbiter = await spawn(Arbiter, undefined);
    await arbiter.ask({ type: 'setup', philosophers: p.philosophers, join });
    const ps = [];
    for (let i = 0; i < p.philosophers; i++) ps.push(await spawn(Philosopher, { id: i }));
    const start = { type: 'start' as const, arbiter, rounds: p.rounds };
    const t0 = performance.now();
    for (const ph of ps) ph.tell(start);
    const r = await pollResult<JoinResult>(join, executors);
    const ms = performance.now() - t0;
    check('philosophers', 'troupe', p.philosophers * p.rounds, r.sum);
    return ms;
  });
}

export const philosophers: Workload<P> = {
  name: 'philosophers',
  title: 'Dining philosophers',
  unit: 'meals',
  params: (quick) => (quick ? { philosophers: 5, rounds: 200 } : { philosophers: 20, rounds: 10_000 }),
  describe: (p) => `${p.philosophers} philosophers, ${p.rounds.toLocaleString('en-US')} rounds`,
  units: (p) => p.philosophers * p.rounds,
  contenders: (p, ctx: SuiteContext): Contender[] => troupeContenders(ctx, (e) => troupe(p, e)),
};
