/**
 * Parent/child links across executor threads (runtime executors/links.ts):
 * a plain parent and its child may live on different executors — placed
 * there by ctx.spawn or moved by migration — and the stop cascade and the
 * child-gone notification still work; so does supervision by a parent
 * defined with `{ supervision }` (failure report and directive as data).
 */
import { type ActorRef, type ActorSystem, createSystem } from '@troupe/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as L from './fixtures/links-threaded.ts';

const actors = new URL('./fixtures/links-threaded.ts', import.meta.url);
let system: ActorSystem;

beforeAll(async () => {
  system = await createSystem({ actors, executors: 3, stealing: false });
});
afterAll(async () => {
  await system.terminateExecutors();
});

interface Info {
  parent: number | null;
  kids: number[];
  thread: number;
}
type Dump = { stops: Record<number, L.StopRecord>; dups: number; count: number };

const info = (r: ActorRef) => r.ask<Info>({ type: 'info' });
const threadOf = (node: number) => system.metrics().executors.find((e) => e.id === node)!.threadId;
const spawnChild = (p: ActorRef, executor?: number) => p.ask<ActorRef>({ type: 'spawn', executor });

async function stops(rec: ActorRef, count: number): Promise<Dump> {
  await expect.poll(async () => (await rec.ask<Dump>({ type: 'dump' })).count).toBe(count);
  return rec.ask<Dump>({ type: 'dump' });
}

describe('plain parent and child on different executors', () => {
  it('ctx.spawn placed elsewhere keeps the link; stopping the parent stops the remote child first', async () => {
    const rec = await system.spawn(L.linksRec, undefined, { placement: { executor: 1 } });
    const p = await system.spawn(L.linksNode, { rec }, { placement: { executor: 1 } });
    const c = await spawnChild(p, 2);
    const g = await spawnChild(c, 3);
    expect(await info(c)).toMatchObject({ parent: p.id, kids: [g.id], thread: threadOf(2) });
    expect(await info(g)).toMatchObject({ parent: c.id, thread: threadOf(3) });
    expect((await info(p)).kids).toEqual([c.id]);
    await system.stop(p);
    const d = await stops(rec, 3);
    expect(d.dups).toBe(0);
    expect(d.stops[g.id]!.parent).toBe(c.id);
    expect(d.stops[c.id]!.parent).toBe(p.id);
    expect(d.stops[c.id]!.at).toBeGreaterThanOrEqual(d.stops[g.id]!.at);
    expect(d.stops[p.id]!.at).toBeGreaterThanOrEqual(d.stops[c.id]!.at);
  });

  it("a remote child's termination reaches its parent, wherever the parent moved", async () => {
    const rec = await system.spawn(L.linksRec, undefined, { placement: { executor: 2 } });
    const p = await system.spawn(L.linksNode, { rec }, { placement: { executor: 1 } });
    const a = await spawnChild(p, 2);
    const b = await spawnChild(p);
    await system.migrate(p, { executor: 3 });
    expect(await info(p)).toMatchObject({ thread: threadOf(3) });
    expect(new Set((await info(p)).kids)).toEqual(new Set([a.id, b.id]));
    expect((await info(b)).parent).toBe(p.id);
    await system.stop(a);
    await expect.poll(async () => (await info(p)).kids).toEqual([b.id]);
    await system.stop(b);
    await expect.poll(async () => (await info(p)).kids).toEqual([]);
    await system.stop(p);
    expect((await stops(rec, 3)).dups).toBe(0);
  });

  it('migrates children and parents back and forth; the cascade still reaches every descendant', async () => {
    const rec = await system.spawn(L.linksRec, undefined, { placement: { executor: 3 } });
    const root = await system.spawn(L.linksNode, { rec }, { placement: { executor: 1 } });
    const kids = [await spawnChild(root), await spawnChild(root, 2)];
    const grand = [await spawnChild(kids[0]!), await spawnChild(kids[1]!, 3)];
    await system.migrate(kids[0]!, { executor: 2 });
    await system.migrate(root, { executor: 2 });
    await system.migrate(grand[1]!, { executor: 1 });
    await system.migrate(kids[1]!, { executor: 1 });
    await system.migrate(root, { executor: 1 });
    expect(new Set((await info(root)).kids)).toEqual(new Set(kids.map((k) => k.id)));
    for (let i = 0; i < 2; i++) {
      expect(await info(kids[i]!)).toMatchObject({ parent: root.id, kids: [grand[i]!.id] });
      expect((await info(grand[i]!)).parent).toBe(kids[i]!.id);
    }
    await system.stop(root);
    const d = await stops(rec, 5);
    expect(d.dups).toBe(0);
    for (let i = 0; i < 2; i++) {
      expect(d.stops[kids[i]!.id]!.at).toBeGreaterThanOrEqual(d.stops[grand[i]!.id]!.at);
      expect(d.stops[root.id]!.at).toBeGreaterThanOrEqual(d.stops[kids[i]!.id]!.at);
    }
  });
});

describe('a parent defined with { supervision } supervises children on other executors', () => {
  const get = (r: ActorRef) => r.ask<number>({ type: 'get' });

  it('failure report and directive cross as data: resume keeps state, wherever child and parent move', async () => {
    const sup = await system.spawn(L.linksResumer, undefined, { placement: { executor: 1 } });
    const c = await sup.ask<ActorRef>({ type: 'spawn', executor: 2 });
    expect(await c.ask<number>({ type: 'where' })).toBe(threadOf(2));
    c.tell({ type: 'inc' });
    c.tell({ type: 'boom' });
    c.tell({ type: 'inc' });
    expect(await get(c)).toBe(2); // resumed (the core default would have restarted it: 1)
    await system.migrate(c, { executor: 3 });
    await system.migrate(sup, { executor: 2 });
    c.tell({ type: 'boom' });
    c.tell({ type: 'inc' });
    expect(await get(c)).toBe(3);
    expect(await c.ask<number>({ type: 'where' })).toBe(threadOf(3));
    expect(await sup.ask<number[]>({ type: 'kids' })).toEqual([c.id]);
    await system.stop(sup);
    await expect(get(c)).rejects.toThrow();
  });

  it('a stop directive stops the remote child and the parent hears it is gone', async () => {
    const sup = await system.spawn(L.linksStopper, undefined, { placement: { executor: 3 } });
    const c = await sup.ask<ActorRef>({ type: 'spawn', executor: 1 });
    c.tell({ type: 'boom' });
    await expect.poll(async () => sup.ask<number[]>({ type: 'kids' })).toEqual([]);
    await expect(get(c)).rejects.toThrow();
    await system.stop(sup);
  });
});
