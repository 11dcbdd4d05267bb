import { type ActorRef, defineActor, isConfigError, supervisor } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { Flaky, makeSystem, ofType, settle } from './supervision-helpers.ts';

type Job = { type: 'job'; id: number };

describe('message retries', () => {
  it('retries a failed message before anything queued behind it (spawn option)', async () => {
    const { system, events } = await makeSystem();
    const log: string[] = [];
    const f = await system.spawn(Flaky, { failures: 2, log }, { retry: { attempts: 2 } });
    for (const id of [1, 2, 3]) f.tell({ type: 'job', id });
    await settle();
    expect(log).toEqual(['1#1', '1#2', '1#3', '2#1', '2#2', '2#3', '3#1', '3#2', '3#3']);
    const s = system.stats();
    expect(s).toMatchObject({ sent: 3, processed: 3, deadLettered: { total: 0 } });
    expect(ofType(events, 'actor.message-retried').map((e) => e.attempt)).toEqual([1, 2, 1, 2, 1, 2]);
    expect(ofType(events, 'actor.failed')).toHaveLength(0);
    await system.shutdown();
  });

  it('holds the mailbox for the backoff delay, on the clock', async () => {
    const { system, clock } = await makeSystem();
    const log: string[] = [];
    const f = await system.spawn(Flaky, { failures: 1, log }, { retry: { attempts: 3, backoff: 50 } });
    f.tell({ type: 'job', id: 1 });
    f.tell({ type: 'job', id: 2 });
    await settle();
    expect(log).toEqual(['1#1']);
    clock.advance(49);
    await settle();
    expect(log).toEqual(['1#1']);
    clock.advance(1);
    await settle();
    expect(log).toEqual(['1#1', '1#2', '2#1']);
    clock.advance(50);
    await settle();
    expect(log).toEqual(['1#1', '1#2', '2#1', '2#2']);
    await system.shutdown();
  });

  it('uses exponential backoff between attempts', async () => {
    const { system, clock, events } = await makeSystem();
    const log: string[] = [];
    const f = await system.spawn(
      Flaky,
      { failures: 3, log },
      { retry: { attempts: 3, backoff: { minMs: 10, maxMs: 1000, factor: 3 } } },
    );
    f.tell({ type: 'job', id: 1 });
    for (let i = 0; i < 4; i++) {
      await settle();
      clock.advance(100);
    }
    await settle();
    expect(ofType(events, 'actor.message-retried').map((e) => e.delayMs)).toEqual([10, 30, 90]);
    expect(log).toEqual(['1#1', '1#2', '1#3', '1#4']);
    await system.shutdown();
  });

  it('gives up after `attempts`: the message is dead-lettered failed and supervision takes over', async () => {
    const { system, events } = await makeSystem();
    const log: string[] = [];
    const tree = await system.start(
      supervisor({
        id: 'app',
        children: [{ id: 'f', actor: Flaky, props: { failures: 5, log }, retry: { attempts: 2 } }],
      }),
    );
    const f = (await tree.child<Job>('f')) as ActorRef<Job>;
    const answer = f.ask({ type: 'job', id: 1 }).catch((e: unknown) => e);
    await settle();
    expect(await answer).toMatchObject({ code: 'actor-failed' });
    expect(log).toEqual(['1#1', '1#2', '1#3']);
    expect(ofType(events, 'supervisor.child-failed')).toHaveLength(1);
    expect(ofType(events, 'supervisor.child-restarted')).toHaveLength(1);
    const s = system.stats();
    expect(s.deadLettered.byReason).toEqual({ failed: 1 });
    expect(s.sent).toBe(s.processed + s.deadLettered.total + 0);
    await system.shutdown();
  });

  it('retryOn filters which errors are retried; the definition carries a default policy', async () => {
    const Picky = defineActor(
      'picky',
      {
        init: () => ({ tries: 0 }),
        receive(s, m: 'transient' | 'fatal') {
          s.tries++; // mutated in place so a failed attempt still counts
          if (s.tries < 3) throw new Error(m);
          return s;
        },
      },
      { retry: { attempts: 5, retryOn: (e) => (e as Error).message === 'transient' } },
    );
    const { system } = await makeSystem();
    const a = await system.spawn(Picky, undefined);
    a.tell('transient');
    const b = await system.spawn(Picky, undefined);
    b.tell('fatal');
    await settle();
    const s = system.stats();
    expect(s.processed).toBe(1);
    expect(s.deadLettered.byReason).toEqual({ failed: 1 });
    await system.shutdown();
  });

  it('validates retry options naming the field', async () => {
    const { system } = await makeSystem();
    await expect(
      system.spawn(Flaky, { failures: 0, log: [] }, { retry: { attempts: -1 } }),
    ).rejects.toSatisfy((e) => isConfigError(e) && e.context.path === 'system.spawn(options).retry.attempts');
    expect(() =>
      supervisor({ id: 'x', children: [{ id: 'f', actor: Flaky, retry: { attempts: 1, backoff: -5 } }] }),
    ).toThrow(/^children\[0\]\.retry\.backoff: expected/);
    await system.shutdown();
  });

  it('a retried message still waiting when the actor stops is dead-lettered, not lost', async () => {
    const { system } = await makeSystem();
    const log: string[] = [];
    const f = await system.spawn(Flaky, { failures: 1, log }, { retry: { attempts: 1, backoff: 1000 } });
    f.tell({ type: 'job', id: 1 });
    f.tell({ type: 'job', id: 2 });
    await settle();
    await system.stop(f);
    const s = system.stats();
    expect(s).toMatchObject({ sent: 2, processed: 0, deadLettered: { total: 2, byReason: { stopped: 2 } } });
    await system.shutdown();
  });
});
