/**
 * Chameneos (Savina, 100 creatures, 200,000 meetings): a hot broker that
 * every actor talks to — contention on one mailbox, and replies to senders.
 * Check: the creatures' meeting counts add up to twice the meetings.
 */
import { pollResult, troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, type Workload } from '../lib/types.ts';
import { Creature, Mall } from './chameneos.actors.ts';
import { Join, type JoinResult } from './common.actors.ts';

interface P {
  creatures: number;
  meetings: number;
}

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const join = await spawn(Join, { expect: 1 });
    const mall = await spawn(Mall, undefined);
    await mall.ask({ type: 'setup', n: p.meetings, creatures: p.creatures, join });
    const creatures = [];
    for (let i = 0; i < p.creatures; i++) creatures.push(await spawn(Creature, { color: i % 3 }));
    const start = { type: 'start' as const, mall };
    const t0 = performance.now();
    for (const c of creatures) c.tell(start);
    const r = await pollResult<JoinResult>(join, executors);
    const ms = performance.now() - t0;
    check('chameneos', 'troupe', 2 * p.meetings, r.sum);
    return ms;
  });
}

export const chameneos: Workload<P> = {
  name: 'chameneos',
  title: 'Chameneos',
  unit: 'meetings',
  params: (quick) => (quick ? { creatures: 10, meetings: 1_000 } : { creatures: 100, meetings: 200_000 }),
  describe: (p) => `${p.creatures} creatures, ${p.meetings.toLocaleString('en-US')} meetings`,
  units: (p) => p.meetings,
  contenders: (p, ctx: SuiteContext): Contender[] => troupeContenders(ctx, (e) => troupe(p, e)),
};
