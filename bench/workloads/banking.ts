/**
 * Banking (Savina, 1,000 accounts, 50,000 transfers, with asks): request/
 * response between actors — an ask per transfer, its timer and its reply.
 * Check: every transfer completed and every balance equals the one computed
 * from the transfer list.
 */
import { pollResult, troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, type Workload } from '../lib/types.ts';
import { Account, Teller, transfers } from './banking.actors.ts';

interface P {
  accounts: number;
  transfers: number;
}
const INITIAL = 1_000_000;

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const accounts = [];
    for (let i = 0; i < p.accounts; i++) accounts.push(await spawn(Account, { balance: INITIAL }));
    const teller = await spawn(Teller, undefined);
    const t0 = performance.now();
    teller.tell({ type: 'start', accounts, n: p.transfers });
    const r = await pollResult<{ done: number; failed: number }>(teller, executors);
    const ms = performance.now() - t0;
    check('banking', 'troupe', p.transfers, r.done);
    const expected = new Array<number>(p.accounts).fill(INITIAL);
    const t = transfers(p.accounts, p.transfers);
    for (let i = 0; i < p.transfers; i++) {
      expected[t[3 * i]!]! -= t[3 * i + 2]!;
      expected[t[3 * i + 1]!]! += t[3 * i + 2]!;
    }
    const balances = await Promise.all(accounts.map((a) => a.ask<number>({ type: 'balance' })));
    for (let i = 0; i < p.accounts; i++) check('banking', `troupe balance[${i}]`, expected[i], balances[i]);
    return ms;
  });
}

export const banking: Workload<P> = {
  name: 'banking',
  title: 'Banking',
  unit: 'transfers',
  params: (quick) => (quick ? { accounts: 50, transfers: 500 } : { accounts: 1_000, transfers: 50_000 }),
  describe: (p) =>
    `${p.accounts.toLocaleString('en-US')} accounts, ${p.transfers.toLocaleString('en-US')} transfers with asks`,
  units: (p) => p.transfers,
  contenders: (p, ctx: SuiteContext): Contender[] => troupeContenders(ctx, (e) => troupe(p, e)),
};
