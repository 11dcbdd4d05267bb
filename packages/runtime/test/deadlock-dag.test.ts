import { type ActorRef, createSystem, defineActor, SimulatedClock } from '@troupe/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collect, expectAccounted, ofType, settle } from './deadlock-helpers.ts';

type DagMsg = { type: 'link'; succ: ActorRef<DagMsg>[]; parallel: boolean } | { type: 'go' };
interface DagState {
  readonly succ: ActorRef<DagMsg>[];
  readonly parallel: boolean;
}

/** Asks every successor (one after another, or all at once) and answers with the count of visits. */
const DagNode = defineActor('dag-node', {
  init: (): DagState => ({ succ: [], parallel: false }),
  receive(s: DagState, m: DagMsg, ctx) {
    if (m.type === 'link') return { succ: m.succ, parallel: m.parallel };
    if (s.succ.length === 0) {
      ctx.reply(1);
      return s;
    }
    return (async () => {
      let n = 1;
      if (s.parallel) {
        const rs = await Promise.all(s.succ.map((r) => ctx.ask<number>(r, { type: 'go' })));
        for (const r of rs) n += r;
      } else for (const r of s.succ) n += await ctx.ask<number>(r, { type: 'go' });
      ctx.reply(n);
      return s;
    })();
  },
});

describe('no false positives', () => {
  it('random DAGs of asks under heavy concurrent traffic never trigger detection', async () => {
    const dag = fc.integer({ min: 2, max: 9 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        edges: fc.uniqueArray(
          fc.tuple(fc.nat(n - 1), fc.nat(n - 1)).filter(([a, b]) => a < b),
          { maxLength: 24, selector: ([a, b]) => a * 100 + b },
        ),
        parallel: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        roots: fc.array(fc.nat(n - 1), { minLength: 1, maxLength: 12 }),
        strategy: fc.constantFrom('fail-ask', 'fail-youngest', 'restart-victim'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(dag, async ({ n, edges, parallel, roots, strategy }) => {
        const system = await createSystem({ clock: new SimulatedClock(), deadlock: { strategy } });
        const events = collect(system);
        const refs = Array.from({ length: n }, () => system.spawnSync(DagNode, undefined));
        for (let i = 0; i < n; i++)
          refs[i]!.tell({
            type: 'link',
            succ: edges.filter(([a]) => a === i).map(([, b]) => refs[b]!),
            parallel: parallel[i]!,
          });
        const answers = roots.map((r) => refs[r]!.ask<number>({ type: 'go' }, { timeoutMs: 600_000 }));
        const results = await Promise.all(answers);
        for (const r of results) expect(r).toBeGreaterThanOrEqual(1);
        await settle(3);
        expect(ofType(events, 'deadlock.detected')).toHaveLength(0);
        expect(system.waitForGraph().edges).toHaveLength(0);
        expectAccounted(system);
      }),
      { numRuns: 60 },
    );
  });
});
