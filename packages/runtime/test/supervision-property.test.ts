/**
 * Property: random failure schedules over random trees never leave a
 * supervisor with a stale or duplicate child, and every message stays
 * accounted for (processed exactly once or dead-lettered exactly once; a
 * failing message is never processed).
 */
import {
  type ActorRef,
  type ActorSystem,
  type ChildSpecInput,
  type Directive,
  defineActor,
  type SupervisorHandle,
  supervisor,
} from '@troupe/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellOf } from '../src/kernel/cell-of.ts';
import { makeSystem, settle } from './supervision-helpers.ts';

type Msg = { type: 'work' | 'boom' | 'reject'; id: number };

const processed = new Set<number>();
const Leaf = defineActor('prop-leaf', {
  init: () => ({}),
  receive(s, m: Msg) {
    if (m.type === 'boom') throw new Error(`boom ${m.id}`);
    if (m.type === 'reject') return Promise.reject(`reject ${m.id}`); // a non-Error rejection
    if (processed.has(m.id)) throw new Error(`processed twice: ${m.id}`);
    processed.add(m.id);
    return s;
  },
});

const restartArb = fc.constantFrom('permanent', 'transient', 'temporary' as const);
const strategyArb = fc.constantFrom('one-for-one', 'one-for-all', 'rest-for-one' as const);
const leafArb = fc.record({
  restart: restartArb,
  retry: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
});
const directiveArb = fc.constantFrom('restart', 'restart', 'resume', 'stop', 'escalate' as const);
const deciderArb = fc.record({ boom: directiveArb, reject: directiveArb });
const subArb = fc.record({
  strategy: strategyArb,
  decider: deciderArb,
  maxRestarts: fc.integer({ min: 0, max: 4 }),
  leaves: fc.array(leafArb, { minLength: 1, maxLength: 3 }),
  restart: restartArb,
});
const treeArb = fc.record({
  strategy: strategyArb,
  decider: deciderArb,
  maxRestarts: fc.integer({ min: 0, max: 6 }),
  backoff: fc.boolean(),
  children: fc.array(
    fc.oneof(
      leafArb.map((l) => ({ leaf: l })),
      subArb.map((s) => ({ sub: s })),
    ),
    {
      minLength: 1,
      maxLength: 4,
    },
  ),
});
const opArb = fc.oneof(
  fc.record({
    kind: fc.constantFrom('work', 'work', 'boom', 'reject', 'stop' as const),
    leaf: fc.nat(),
    n: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 300 }) }),
);

type Leaf = { path: string[] };
type DeciderChoice = { boom: Directive; reject: Directive };

/** Sync throws are Errors, rejections are strings: each kind gets its own directive. */
function toDecider(d: DeciderChoice): (e: unknown) => Directive {
  return (e) =>
    typeof e === 'string'
      ? d.reject
      : e instanceof Error && e.message.startsWith('boom')
        ? d.boom
        : 'restart';
}
type TreeInput = typeof treeArb extends fc.Arbitrary<infer T> ? T : never;
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

function build(t: TreeInput): { spec: ReturnType<typeof supervisor>; leaves: Leaf[] } {
  const leaves: Leaf[] = [];
  const leafSpec = (id: string, l: { restart: any; retry?: number }): ChildSpecInput => ({
    id,
    actor: Leaf,
    restart: l.restart,
    ...(l.retry !== undefined ? { retry: { attempts: l.retry } } : {}),
  });
  const children = t.children.map((c: any, i: number): ChildSpecInput => {
    const id = `c${i}`;
    if (c.leaf) {
      leaves.push({ path: [id] });
      return leafSpec(id, c.leaf);
    }
    const sub = c.sub;
    return {
      id,
      restart: sub.restart,
      supervisor: {
        strategy: sub.strategy,
        decider: toDecider(sub.decider),
        intensity: { maxRestarts: sub.maxRestarts, withinMs: 1000 },
        children: sub.leaves.map((l: any, j: number) => {
          leaves.push({ path: [id, `l${j}`] });
          return leafSpec(`l${j}`, l);
        }),
      },
    };
  });
  const spec = supervisor({
    id: 'top',
    strategy: t.strategy,
    decider: toDecider(t.decider),
    intensity: { maxRestarts: t.maxRestarts, withinMs: 1000 },
    ...(t.backoff ? { backoff: { minMs: 5, maxMs: 80, jitter: 0.5, random: () => 0.25 } } : {}),
    children,
  });
  return { spec, leaves };
}

async function resolve(tree: SupervisorHandle, path: string[]): Promise<ActorRef<Msg> | undefined> {
  try {
    let h = tree;
    for (const id of path.slice(0, -1)) h = await h.supervisor(id);
    return await h.child<Msg>(path[path.length - 1] as string);
  } catch {
    return undefined; // a sub-tree that is restarting or gone right now
  }
}

/** Every supervisor's records match its live children one to one. */
async function checkStructure(h: SupervisorHandle): Promise<void> {
  const rows = await h.children();
  const ids = rows.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  const cell = cellOf(h.ref);
  expect(cell).not.toBeNull();
  const live = new Set([...(cell?.children ?? [])].map((c) => c.id));
  // At quiescence nothing is stuck half-way: no restart pending, no stop unfinished.
  for (const r of rows) expect(['running', 'stopped'], `${r.id} of ${h.id}`).toContain(r.status);
  const running = rows.filter((r) => r.alive);
  expect(running.length).toBe(rows.filter((r) => r.status === 'running').length);
  for (const r of running) {
    expect(r.ref && cellOf(r.ref)?.status, `${r.id} of ${h.id} is stale`).toBe(0);
    expect(live.has(r.ref?.id as number)).toBe(true);
  }
  expect(live.size).toBe(running.length); // no orphan or duplicate incarnation
  for (const r of running) if (r.kind === 'supervisor') await checkStructure(await h.supervisor(r.id));
}

async function run(t: TreeInput, ops: Op[]): Promise<void> {
  processed.clear();
  const { system, clock } = await makeSystem();
  const { spec, leaves } = build(t);
  const tree = await system.start(spec, {
    onFailure: 'restart',
    intensity: { maxRestarts: 1000, withinMs: 1000 },
  });
  const sent = new Map<number, Msg['type']>();
  const dead = new Map<number, string>();
  system.deadLetters$.subscribe((d) => {
    const m = d.message as Partial<Msg>;
    if (typeof m?.id === 'number' && sent.has(m.id)) {
      expect(dead.has(m.id), `dead-lettered twice: ${m.id}`).toBe(false);
      dead.set(m.id, d.reason);
    }
  });
  let next = 0;
  for (const op of ops) {
    if (op.kind === 'advance') clock.advance(op.ms);
    else {
      const leaf = leaves[op.leaf % leaves.length] as Leaf;
      const ref = await resolve(tree, leaf.path);
      if (ref !== undefined) {
        if (op.kind === 'stop') await system.stop(ref);
        else
          for (let k = 0; k < op.n; k++) {
            const id = next++;
            sent.set(id, op.kind);
            ref.tell({ type: op.kind, id });
          }
      }
    }
    await settle(3);
  }
  for (let i = 0; i < 20; i++) {
    clock.advance(100);
    await settle(3);
  }
  await checkStructure(tree);
  const s = system.stats();
  expect(s.sent).toBe(s.processed + s.deadLettered.total);
  for (const [id, kind] of sent) {
    const p = processed.has(id);
    const d = dead.get(id);
    expect(p !== (d !== undefined), `message ${id} (${kind}) processed=${p} dead=${d}`).toBe(true);
    if (kind !== 'work') {
      expect(p).toBe(false);
      expect(['failed', 'stopped']).toContain(d);
    }
  }
  await system.shutdown();
}

describe('supervision property', () => {
  it('random failure schedules keep trees consistent and messages accounted', async () => {
    await fc.assert(
      fc.asyncProperty(treeArb, fc.array(opArb, { minLength: 10, maxLength: 60 }), (t, ops) => run(t, ops)),
      { numRuns: Number(process.env.PROP_RUNS ?? 100) },
    );
  }, 120_000);
});

export type { ActorSystem };
