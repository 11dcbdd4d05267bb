import { type ActorRef, defineActor, isConfigError, isEscalatedError, supervisor } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { makeSystem, ofType, settle, Worker, type WorkerMsg } from './supervision-helpers.ts';

type ParentMsg = { type: 'child' };

/** Spawns one Worker child in onStart and answers its ref; supervises it with a decider by error value. */
const Parent = defineActor(
  'sup-parent',
  {
    init: () => ({ child: undefined as ActorRef<WorkerMsg> | undefined }),
    onStart(_s, ctx) {
      return { child: ctx.spawn(Worker, { tag: 'kid' }) };
    },
    receive(s, _m: ParentMsg, ctx) {
      ctx.reply(s.child);
      return s;
    },
  },
  {
    supervision: {
      decider: (e) =>
        e === 'resume' ? 'resume' : e === 'stop' ? 'stop' : e === 'up' ? 'escalate' : 'restart',
      intensity: { maxRestarts: 2, withinMs: 1000 },
    },
  },
);

describe('supervision by a plain parent (defineActor supervision option)', () => {
  it('resume keeps the child state, restart re-initialises it in place, stop terminates it', async () => {
    const { system, clock, events } = await makeSystem();
    const p = await system.spawn(Parent, undefined);
    const kid = (await p.ask({ type: 'child' })) as ActorRef<WorkerMsg>;
    kid.tell({ type: 'work' });
    kid.tell({ type: 'boom', error: 'resume' });
    kid.tell({ type: 'work' });
    await settle();
    expect(await kid.ask({ type: 'get' })).toEqual({ n: 2, tag: 'kid' });
    kid.tell({ type: 'boom', error: 'again' });
    await settle();
    expect(await kid.ask({ type: 'get' })).toEqual({ n: 0, tag: 'kid' });
    expect(ofType(events, 'supervisor.child-restarted')).toMatchObject([{ attempt: 1, delayMs: 0 }]);
    clock.advance(2000);
    kid.tell({ type: 'boom', error: 'stop' });
    await settle();
    await expect(kid.ask({ type: 'get' })).rejects.toMatchObject({ code: 'actor-stopped' });
    expect(system.stats().deadLettered.byReason.failed).toBe(3);
    await system.shutdown();
  });

  it('past its intensity the parent fails upward, and its own supervisor restarts it with a fresh child', async () => {
    const { system, events } = await makeSystem();
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 5, withinMs: 1000 },
        children: [{ id: 'p', actor: Parent }],
      }),
    );
    const p = (await tree.child<ParentMsg>('p')) as ActorRef<ParentMsg>;
    const kid = (await p.ask({ type: 'child' })) as ActorRef<WorkerMsg>;
    for (let i = 0; i < 3; i++) {
      kid.tell({ type: 'boom' });
      await settle();
    }
    expect(ofType(events, 'supervisor.intensity-exceeded')).toMatchObject([{ supervisorId: 'sup-parent' }]);
    const failed = ofType(events, 'supervisor.child-failed').filter((e) => e.supervisorId === 'app');
    expect(failed).toHaveLength(1);
    expect(isEscalatedError(failed[0]?.error)).toBe(true);
    const kid2 = (await p.ask({ type: 'child' })) as ActorRef<WorkerMsg>;
    expect(kid2).not.toBe(kid);
    expect(await kid2.ask({ type: 'get' })).toEqual({ n: 0, tag: 'kid' });
    await expect(kid.ask({ type: 'get' })).rejects.toMatchObject({ code: 'actor-stopped' });
    await system.shutdown();
  });

  it('escalate hands the failure to the parent at once', async () => {
    const { system, events } = await makeSystem();
    const p = await system.spawn(Parent, undefined);
    const kid = (await p.ask({ type: 'child' })) as ActorRef<WorkerMsg>;
    kid.tell({ type: 'boom', error: 'up' });
    await settle();
    expect(ofType(events, 'supervisor.escalated')).toMatchObject([
      { reason: 'directive', child: String(kid.id) },
    ]);
    // A top-level plain actor falls back to the core default (restart in place): a fresh child.
    const kid2 = (await p.ask({ type: 'child' })) as ActorRef<WorkerMsg>;
    expect(kid2).not.toBe(kid);
    await system.shutdown();
  });

  it('validates the option naming the field', () => {
    expect(() =>
      defineActor(
        'bad-sup',
        { init: () => 0, receive: (s) => s },
        { supervision: { decider: { X: 'explode' as never } } },
      ),
    ).toThrow(
      /^defineActor\("bad-sup"\)\.supervision\.decider\.X: expected "resume" \| "restart" \| "stop" \| "escalate"/,
    );
    let caught: unknown;
    try {
      defineActor(
        'bad-sup3',
        { init: () => 0, receive: (s) => s },
        { supervision: { intensity: { maxRestarts: -1 } } },
      );
    } catch (e) {
      caught = e;
    }
    expect(isConfigError(caught) && caught.context.path).toBe(
      'defineActor("bad-sup3").supervision.intensity.maxRestarts',
    );
  });
});
