/**
 * Fibonacci (Savina, N = 25, an actor per call): 242,785 short-lived actors
 * in a tree — spawn, message, stop and parent/child bookkeeping.
 * Peer: the limit — the same recursion as plain function calls.
 */
import { pollResult, troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, timed, type Workload } from '../lib/types.ts';
import { Join, type JoinResult } from './common.actors.ts';
import { FibActor } from './fib.actors.ts';

interface P {
  n: number;
}

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
/** Known answers, so neither side checks itself against its own arithmetic. */
const KNOWN: Record<number, number> = { 12: 144, 25: 75025 };
/** Calls (= actors) in the naive recursion: 2·fib(n+1) − 1. */
const calls = (n: number) => 2 * fib(n + 1) - 1;

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ spawn }) => {
    const join = await spawn(Join, { expect: 1 });
    const root = await spawn(FibActor, undefined);
    const t0 = performance.now();
    root.tell({ type: 'req', n: p.n, join });
    const r = await pollResult<JoinResult>(join, executors);
    const ms = performance.now() - t0;
    check('fib', 'troupe', KNOWN[p.n], r.sum);
    return ms;
  });
}

async function limit(p: P): Promise<number> {
  let v = 0;
  const ms = await timed(() => {
    v = fib(p.n);
  });
  check('fib', 'limit', KNOWN[p.n], v);
  return ms;
}

export const fibonacci: Workload<P> = {
  name: 'fib',
  title: 'Fibonacci',
  unit: 'actors',
  params: (quick) => ({ n: quick ? 12 : 25 }),
  describe: (p) => `N = ${p.n}, ${calls(p.n).toLocaleString('en-US')} actors`,
  units: (p) => calls(p.n),
  contenders(p, ctx: SuiteContext): Contender[] {
    const out = troupeContenders(ctx, (e) => troupe(p, e));
    out.push({ system: 'limit', mode: 'plain recursion', run: () => limit(p) });
    return out;
  },
};
