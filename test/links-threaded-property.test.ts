/**
 * Property: random trees of parents (plain, or supervising with
 * `{ supervision }`) and children spread over executors, with forced
 * migrations of parents and children racing stops, failures (restart in
 * place: the core default, or the remote parent's directive) and traffic. At quiescence every message is
 * accounted for, every live node's links agree on both ends (no duplicate
 * child, no orphan: a node whose parent stopped is stopped), and after the
 * roots stop every node terminated exactly once, after all its children.
 */
import { type ActorRef, type ActorSystem, createSystem } from '@troupe/runtime';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as L from './fixtures/links-threaded.ts';

const actors = new URL('./fixtures/links-threaded.ts', import.meta.url);
const EXECUTORS = 3;
let system: ActorSystem;

beforeAll(async () => {
  system = await createSystem({ actors, executors: EXECUTORS, stealThreshold: 1 });
});
afterAll(async () => {
  await system.terminateExecutors();
});

type Cmd =
  | { t: 'spawn'; i: number; to: number | null; sup: boolean }
  | { t: 'migrate'; i: number; to: number }
  | { t: 'ping'; i: number; n: number }
  | { t: 'fail'; i: number }
  | { t: 'stop'; i: number };

const executor = fc.integer({ min: 1, max: EXECUTORS });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('spawn' as const),
      i: fc.nat(),
      to: fc.option(executor),
      sup: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('migrate' as const), i: fc.nat(), to: executor }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('ping' as const),
      i: fc.nat(),
      n: fc.integer({ min: 1, max: 20 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('fail' as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('stop' as const), i: fc.nat() }) },
);

interface Info {
  parent: number | null;
  kids: number[];
}
type Dump = { stops: Record<number, L.StopRecord>; dups: number; count: number };

async function quiescent(): Promise<void> {
  await expect
    .poll(async () => {
      await system.syncStats();
      const s = system.stats();
      return s.inFlight === 0 && s.sent === s.processed + s.deadLettered.total;
    })
    .toBe(true);
}

it('links survive forced migrations of parents and children racing stops and failures', async () => {
  let migrated = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(executor, fc.boolean()), { minLength: 1, maxLength: 2 }),
      fc.array(cmd, { minLength: 1, maxLength: 25 }),
      async (rootPlaces, cmds) => {
        const rec = await system.spawn(L.linksRec, undefined, { placement: { executor: 1 } });
        const nodes: ActorRef[] = [];
        const parentOf = new Map<number, number | null>();
        for (const [e, sup] of rootPlaces) {
          const def = sup ? L.linksSupNode : L.linksNode;
          const r = await system.spawn(def, { rec }, { placement: { executor: e } });
          nodes.push(r);
          parentOf.set(r.id, null);
        }
        const pending: Promise<unknown>[] = [];
        for (const c of cmds) {
          const ref = nodes[c.i % nodes.length]!;
          switch (c.t) {
            case 'spawn': {
              // Awaited: the new child is a target of later commands. A stopped parent refuses.
              const kid = await ref
                .ask<ActorRef>({ type: 'spawn', executor: c.to ?? undefined, sup: c.sup })
                .catch(() => null);
              if (kid !== null) {
                nodes.push(kid);
                parentOf.set(kid.id, ref.id);
              }
              break;
            }
            case 'migrate':
              // Refused while the actor is busy, stopping or has pending system work: that is fine.
              pending.push(
                system.migrate(ref, { executor: c.to }).then(
                  () => migrated++,
                  () => undefined,
                ),
              );
              break;
            case 'ping':
              for (let k = 0; k < c.n; k++) ref.tell({ type: 'ping' });
              break;
            case 'fail':
              ref.tell({ type: 'fail' });
              break;
            case 'stop':
              pending.push(system.stop(ref));
              break;
          }
        }
        await Promise.all(pending);
        await quiescent();
        // Links agree on both ends among live nodes; a node whose parent stopped is stopped. Stop,
        // child-gone and supervision items are not user messages (not in stats): poll until settled.
        const linksAgree = async (): Promise<string> => {
          const dump = await rec.ask<Dump>({ type: 'dump' });
          const live = nodes.filter((n) => dump.stops[n.id] === undefined);
          const infos = new Map<number, Info>();
          for (const n of live) {
            const inf = await n.ask<Info>({ type: 'info' }).catch(() => null);
            if (inf === null) return `${n.id} stopped meanwhile`;
            infos.set(n.id, inf);
          }
          for (const n of live) {
            const inf = infos.get(n.id)!;
            const p = parentOf.get(n.id)!;
            if (inf.parent !== p) return `${n.id}: parent ${inf.parent}, want ${p}`;
            if (p !== null && !infos.has(p)) return `${n.id}: orphan (parent ${p} stopped)`;
            if (new Set(inf.kids).size !== inf.kids.length) return `${n.id}: duplicate child in ${inf.kids}`;
            const want = live.filter((k) => parentOf.get(k.id) === n.id).map((k) => k.id);
            if (want.length !== inf.kids.length || !want.every((k) => inf.kids.includes(k)))
              return `${n.id}: kids ${inf.kids}, want ${want}`;
          }
          return 'ok';
        };
        await expect.poll(linksAgree, { timeout: 5000, interval: 20 }).toBe('ok');
        // Stopping the roots stops everything, each node once, children before their parent.
        await Promise.all(nodes.filter((n) => parentOf.get(n.id) === null).map((r) => system.stop(r)));
        await expect.poll(async () => (await rec.ask<Dump>({ type: 'dump' })).count).toBe(nodes.length);
        const end = await rec.ask<Dump>({ type: 'dump' });
        expect(end.dups).toBe(0);
        for (const n of nodes) {
          const r = end.stops[n.id]!;
          expect(r.parent).toBe(parentOf.get(n.id));
          if (r.parent !== null) expect(end.stops[r.parent]!.at).toBeGreaterThanOrEqual(r.at);
        }
        await system.stop(rec);
        await quiescent();
        await system.syncStats();
        const s = system.stats();
        expect(s.inFlight).toBe(0);
        expect(s.sent).toBe(s.processed + s.deadLettered.total);
      },
    ),
    { numRuns: 30 },
  );
  // The runs above really moved parents and children around.
  expect(migrated).toBeGreaterThan(20);
}, 120_000);
