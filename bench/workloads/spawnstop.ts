/**
 * Spawn + stop (issue 2's target, not a Savina workload): N actors created
 * and stopped, nothing else — the fixed cost of an actor.
 * Peers: xstate v5 (createActor → start → stop) and Erlang (spawn, stop
 * message, exit).
 */
import { createActor, setup } from 'xstate';
import { erlangContenders } from '../lib/erlang-contender.ts';
import { pollResult, troupeContenders, withSystem } from '../lib/troupe.ts';
import { type Contender, check, type SuiteContext, timed, type Workload } from '../lib/types.ts';
import { Spawner } from './spawnstop.actors.ts';

interface P {
  n: number;
}

async function troupe(p: P, executors: number): Promise<number> {
  return withSystem(executors, async ({ system, spawn }) => {
    const spawner = await spawn(Spawner, undefined);
    const live = system.stats().actors;
    const t0 = performance.now();
    spawner.tell({ type: 'run', n: p.n });
    const n = await pollResult<number>(spawner, executors);
    // Done when the system counts no child alive: in-thread after the next dispatcher slice,
    // with executors after their next counter publication.
    while (system.stats().actors > live)
      await new Promise((r) => (executors === 0 ? setImmediate(r) : setTimeout(r, 1)));
    const ms = performance.now() - t0;
    check('spawnstop', 'troupe', p.n, n);
    return ms;
  });
}

const xIdle = setup({ types: { context: {} as { n: number } } }).createMachine({ context: { n: 0 } });

async function xstate(p: P): Promise<number> {
  let stopped = 0;
  const ms = await timed(() => {
    for (let i = 0; i < p.n; i++) {
      const a = createActor(xIdle).start();
      a.stop();
      if (a.getSnapshot().status === 'stopped') stopped++;
    }
  });
  check('spawnstop', 'xstate', p.n, stopped);
  return ms;
}

export const spawnstop: Workload<P> = {
  name: 'spawnstop',
  title: 'Spawn + stop',
  unit: 'actors',
  params: (quick) => ({ n: quick ? 1_000 : 100_000 }),
  describe: (p) => `${p.n.toLocaleString('en-US')} actors`,
  units: (p) => p.n,
  contenders(p, ctx: SuiteContext): Contender[] {
    const out = troupeContenders(ctx, (e) => troupe(p, e));
    out.push({ system: 'xstate', mode: 'machine', run: () => xstate(p) });
    out.push(...erlangContenders(ctx, 'spawnstop', [p.n], p.n));
    return out;
  },
};
