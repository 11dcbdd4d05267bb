import { type ActorRef, createSystem, defineActor, SimulatedClock } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { collect, expectAccounted, ofType, settle } from './deadlock-helpers.ts';

let release: () => void = () => {};
type M = { type: 'block' } | { type: 'x' } | { type: 'wait'; on: ActorRef<M> };
const Worker = defineActor('stall-worker', {
  init: () => 0,
  receive(n: number, m: M, ctx) {
    if (m.type === 'x') return n + 1;
    if (m.type === 'wait') return ctx.ask(m.on, { type: 'block' }, { timeoutMs: 600_000 }).then(() => n);
    return new Promise<number>((r) => {
      release = () => {
        ctx.reply('released');
        r(n);
      };
    });
  },
});

describe('stall and slow-handler detection', () => {
  it('emits handler.slow and actor.stalled once each, on the injected clock', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock, deadlock: { stallMs: 100, slowHandlerMs: 50 } });
    const events = collect(system);
    const w = system.spawnSync(Worker, undefined);
    w.tell({ type: 'block' });
    await settle();
    w.tell({ type: 'x' });
    w.tell({ type: 'x' });
    clock.advance(40);
    expect(ofType(events, 'handler.slow')).toHaveLength(0);
    clock.advance(30);
    expect(ofType(events, 'handler.slow')).toMatchObject([
      { actor: { id: w.id }, messageType: 'block', elapsedMs: expect.any(Number) },
    ]);
    expect(ofType(events, 'handler.slow')[0]!.elapsedMs).toBeGreaterThanOrEqual(50);
    expect(ofType(events, 'actor.stalled')).toHaveLength(0);
    clock.advance(50);
    const stalled = ofType(events, 'actor.stalled');
    expect(stalled).toMatchObject([{ actor: { id: w.id }, depth: 2 }]);
    expect(stalled[0]!.ageMs).toBeGreaterThanOrEqual(100);
    clock.advance(1000);
    expect(ofType(events, 'actor.stalled')).toHaveLength(1);
    expect(ofType(events, 'handler.slow')).toHaveLength(1);
    release();
    await settle();
    expectAccounted(system);
    expect(clock.pending).toBe(0); // the monitor's timer is armed only while a handler is pending
  });

  it('an idle actor or an empty mailbox is not a stall', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock, deadlock: { stallMs: 100 } });
    const events = collect(system);
    const w = system.spawnSync(Worker, undefined);
    w.tell({ type: 'x' });
    w.tell({ type: 'block' });
    await settle();
    clock.advance(500);
    expect(ofType(events, 'actor.stalled')).toHaveLength(0);
    release();
    await settle();
  });

  it('waitForGraph shows who waits on whom, with ages', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock, deadlock: { strategy: 'fail-ask' } });
    const a = system.spawnSync(Worker, undefined, { name: 'a' });
    const b = system.spawnSync(Worker, undefined, { name: 'b' });
    a.tell({ type: 'wait', on: b });
    await settle();
    clock.advance(25);
    const g = system.waitForGraph();
    expect(g.nodes).toEqual(
      expect.arrayContaining([
        { id: a.id, name: 'a', def: 'stall-worker', waiting: true },
        { id: b.id, name: 'b', def: 'stall-worker', waiting: false },
      ]),
    );
    expect(g.edges).toMatchObject([
      { from: a.id, to: b.id, messageType: 'block', ageMs: 25, reentrant: false },
    ]);
    release();
    await settle();
    expect(system.waitForGraph()).toEqual({ nodes: [], edges: [] });
    expectAccounted(system);
  });

  it('an edge leaves the graph when the ask times out or the asker stops', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock, askTimeoutMs: 100, deadlock: { strategy: 'fail-ask' } });
    const Short = defineActor('stall-short', {
      init: () => 0,
      async receive(n: number, m: { on: ActorRef<M> }, ctx) {
        await ctx.ask(m.on, { type: 'block' }).catch(() => {});
        return n;
      },
    });
    const a = system.spawnSync(Short, undefined);
    const b = system.spawnSync(Worker, undefined);
    a.tell({ on: b });
    await settle();
    expect(system.waitForGraph().edges).toHaveLength(1);
    clock.advance(100);
    await settle();
    expect(system.waitForGraph().edges).toHaveLength(0);
    release(); // b answers the timed-out ask late: nothing changes
    await settle();
    const c = system.spawnSync(Worker, undefined);
    c.tell({ type: 'wait', on: b });
    await settle();
    expect(system.waitForGraph().edges).toHaveLength(1);
    // stop waits for the pending handler; the edge goes with it.
    const stopped = system.stop(c);
    release();
    await stopped;
    expect(system.waitForGraph().edges).toHaveLength(0);
  });
});
