import { type AnyTroupeEvent, type DeadLetter, defineActor } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { directiveMsg } from '../src/kernel/sysmsg.ts';
import { deferred, quiesce, simSystem } from './helpers.ts';

describe('ActorCell without a supervisor (default failure policy)', () => {
  it('a throwing receive restarts the actor in place: state from props, onStart again, queue kept', async () => {
    const { system } = await simSystem();
    const events: AnyTroupeEvent[] = [];
    system.events$.subscribe((e) => events.push(e));
    const starts: number[] = [];
    const A = defineActor('cell.restart', {
      init: (p: { base: number }) => ({ n: p.base }),
      onStart(s) {
        starts.push(s.n);
      },
      receive(s, m: 'inc' | 'boom' | 'get', ctx) {
        if (m === 'boom') throw new Error('boom');
        if (m === 'get') ctx.reply(s.n);
        return m === 'inc' ? { n: s.n + 1 } : s;
      },
    });
    const a = system.spawnSync(A, { base: 10 });
    a.tell('inc');
    a.tell('inc');
    a.tell('boom');
    a.tell('inc'); // queued behind the failure: processed by the new incarnation
    await expect(a.ask('get')).resolves.toBe(11);
    expect(starts).toEqual([10, 10]);
    expect(events.map((e) => e.type).filter((t) => t.startsWith('actor.'))).toEqual([
      'actor.spawned',
      'actor.failed',
      'actor.restarted',
    ]);
    expect(system.stats().deadLettered.byReason).toEqual({ failed: 1 });
  });

  it('a throwing onStart stops the actor and dead-letters what was queued', async () => {
    const { system } = await simSystem();
    const dead: DeadLetter[] = [];
    system.deadLetters$.subscribe((d) => dead.push(d));
    const events: AnyTroupeEvent[] = [];
    system.events$.subscribe((e) => events.push(e));
    const B = defineActor('cell.bad-start', {
      init: () => 0,
      onStart(): number {
        throw new Error('cannot start');
      },
      receive: (s: number) => s,
    });
    const b = system.spawnSync(B, undefined);
    b.tell(1);
    b.tell(2);
    await quiesce(system);
    expect(system.stats()).toMatchObject({ actors: 0, processed: 0, inFlight: 0 });
    expect(dead.map((d) => d.reason)).toEqual(['stopped', 'stopped']);
    expect(events.find((e) => e.type === 'actor.failed')).toMatchObject({ phase: 'start' });
    expect(events.find((e) => e.type === 'actor.stopped')).toMatchObject({ reason: 'failed' });
  });

  it('a rejecting async onStart stops the actor too', async () => {
    const { system } = await simSystem();
    const C = defineActor('cell.bad-async-start', {
      init: () => 0,
      onStart: async (): Promise<number> => {
        throw new Error('later');
      },
      receive: (s: number) => s,
    });
    const c = system.spawnSync(C, undefined);
    c.tell(1);
    await quiesce(system);
    expect(system.stats()).toMatchObject({
      actors: 0,
      inFlight: 0,
      deadLettered: { byReason: { stopped: 1 } },
    });
  });

  it('a throwing onStop is reported (phase stop) and the actor still stops', async () => {
    const { system } = await simSystem();
    const events: AnyTroupeEvent[] = [];
    system.events$.subscribe((e) => events.push(e));
    const D = defineActor('cell.bad-stop', {
      init: () => 0,
      receive: (s: number) => s,
      onStop(): void {
        throw new Error('cleanup failed');
      },
    });
    const d = system.spawnSync(D, undefined);
    await system.stop(d);
    expect(events.find((e) => e.type === 'actor.failed')).toMatchObject({ phase: 'stop' });
    expect(system.stats().actors).toBe(0);
  });

  it('an actor that tells itself from an async handler is not run twice at once', async () => {
    const { system } = await simSystem();
    let running = 0;
    let overlap = false;
    const gate = deferred();
    const E = defineActor('cell.self-send', {
      init: () => 0,
      async receive(s: number, m: number, ctx) {
        running++;
        if (running > 1) overlap = true;
        if (m === 0) ctx.self.tell(1); // scheduled while this handler is about to go async
        await gate.promise;
        running--;
        return s + 1;
      },
    });
    const e = system.spawnSync(E, undefined);
    e.tell(0);
    await quiesce(system);
    gate.resolve();
    await quiesce(system);
    expect(overlap).toBe(false);
    expect(system.stats()).toMatchObject({ processed: 2, inFlight: 0 });
  });
});

describe('ActorCell turns', () => {
  it('a restart delivered as a system message mid-turn runs onStart before the next user message', async () => {
    const { system } = await simSystem();
    const log: string[] = [];
    const F = defineActor('cell.sys-restart', {
      init: () => ({ n: 0 }),
      onStart(s) {
        log.push(`start ${s.n}`);
      },
      receive(s, m: 'inc' | 'restart', ctx) {
        if (m === 'restart') {
          system.host.sendSystem(ctx.self, directiveMsg('restart'));
          return s;
        }
        log.push(`inc ${s.n}`);
        return { n: s.n + 1 };
      },
    });
    const f = system.spawnSync(F, undefined);
    f.tell('inc');
    f.tell('restart');
    f.tell('inc');
    await quiesce(system);
    expect(log).toEqual(['start 0', 'inc 0', 'start 0', 'inc 0']);
  });
});
