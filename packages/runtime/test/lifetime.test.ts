/**
 * Lifetime (src/kernel/lifetime.ts): the count of pending work that holds the process. Every kind of
 * pending work takes exactly one hold and gives it back exactly once, whichever way it ends,
 * so an idle system holds nothing (test/lifetime.test.ts checks the process itself).
 */
import { defineActor, SimulatedClock, supervisor } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { Lifetime } from '../src/kernel/lifetime.ts';
import { deferred, quiesce, simSystem } from './helpers.ts';

describe('Lifetime', () => {
  it('reports only the 0↔1 transitions; a keep-alive timer holds until it fires or is cleared, once', () => {
    const changes: boolean[] = [];
    const life = new Lifetime((h) => changes.push(h));
    const clock = new SimulatedClock();
    const timers = life.keepAlive(clock);
    let fired = 0;
    const a = timers.setTimeout(() => fired++, 10);
    const b = timers.setTimeout(() => fired++, 20);
    expect(life.holds).toBe(2);
    clock.advance(10);
    expect([fired, life.holds]).toEqual([1, 1]);
    timers.clearTimeout(a); // already fired: releases nothing more
    timers.clearTimeout(b);
    timers.clearTimeout(b);
    expect(life.holds).toBe(0);
    clock.advance(100);
    expect(fired).toBe(1);
    expect(changes).toEqual([true, false]);
  });
});

describe('pending work of a system holds its Lifetime', () => {
  it('an ask until it is answered or times out', async () => {
    const { system, clock } = await simSystem();
    const life = system.host.lifetime;
    const A = defineActor('life.answers', {
      init: () => 0,
      receive: (n: number, m: 'get' | 'ignore', ctx) => {
        if (m === 'get') ctx.reply(n);
        return n;
      },
    });
    const a = system.spawnSync(A, undefined);
    const answered = a.ask('get', { timeoutMs: 100 });
    expect(life.holds).toBe(1);
    await expect(answered).resolves.toBe(0);
    expect(life.holds).toBe(0);
    const ignored = a.ask('ignore', { timeoutMs: 100 });
    await quiesce(system);
    expect(life.holds).toBe(1);
    clock.advance(100);
    await expect(ignored).rejects.toMatchObject({ code: 'ask-timeout' });
    expect(life.holds).toBe(0);
  });

  it('a ctx.schedule timer until it fires, is cancelled, or its actor stops', async () => {
    const { system, clock } = await simSystem();
    const life = system.host.lifetime;
    const A = defineActor('life.schedules', {
      init: () => ({ n: 0, cancel: null as null | (() => void) }),
      receive: (s, m: 'once' | 'every' | 'cancel' | 'fired', ctx) => {
        if (m === 'once') ctx.schedule(50, 'fired');
        if (m === 'every') {
          const t = ctx.schedule(50, 'fired', { repeat: true });
          return { ...s, cancel: () => t.cancel() };
        }
        if (m === 'cancel') s.cancel?.();
        return m === 'fired' ? { ...s, n: s.n + 1 } : s;
      },
    });
    const a = system.spawnSync(A, undefined);
    a.tell('once');
    await quiesce(system);
    expect(life.holds).toBe(1);
    clock.advance(50);
    await quiesce(system);
    expect(life.holds).toBe(0);
    a.tell('every');
    await quiesce(system);
    clock.advance(120); // fires twice, armed again each time
    await quiesce(system);
    expect(life.holds).toBe(1);
    a.tell('cancel');
    await quiesce(system);
    expect(life.holds).toBe(0);
    a.tell('every');
    await quiesce(system);
    expect(life.holds).toBe(1);
    await system.stop(a);
    expect(life.holds).toBe(0);
  });

  it('a handler promise until it settles, or until the actor is killed', async () => {
    const { system } = await simSystem();
    const life = system.host.lifetime;
    const gates = [deferred(), deferred()];
    let i = 0;
    const A = defineActor('life.awaits', {
      init: () => 0,
      receive: async (n: number) => {
        await gates[i++]!.promise;
        return n + 1;
      },
    });
    const a = system.spawnSync(A, undefined);
    a.tell('work');
    await quiesce(system);
    expect(life.holds).toBe(1);
    gates[0]!.resolve();
    await quiesce(system);
    expect(life.holds).toBe(0);
    a.tell('work');
    await quiesce(system);
    expect(life.holds).toBe(1);
    await system.shutdown({ force: true }); // killed with its handler pending
    expect(life.holds).toBe(0);
    gates[1]!.resolve(); // its late settle gives back nothing more
    await quiesce(system);
    expect(life.holds).toBe(0);
  });

  it("a supervisor's restart backoff until the child restarts", async () => {
    const { system, clock } = await simSystem();
    const life = system.host.lifetime;
    const W = defineActor('life.flaky', {
      init: () => 0,
      receive: (n: number, m: 'boom' | 'get', ctx) => {
        if (m === 'boom') throw new Error('boom');
        ctx.reply(n);
        return n;
      },
    });
    const tree = await system.start(
      supervisor({
        id: 'life',
        backoff: { minMs: 200, maxMs: 200, factor: 1, jitter: 0 },
        children: [{ id: 'w', actor: W }],
      }),
    );
    const w = await tree.child<'boom' | 'get'>('w');
    expect(life.holds).toBe(0);
    w!.tell('boom');
    await quiesce(system);
    expect(life.holds).toBe(1);
    clock.advance(200);
    await quiesce(system);
    expect(life.holds).toBe(0);
    await expect(w!.ask('get', { timeoutMs: 100 })).resolves.toBe(0);
  });
});
