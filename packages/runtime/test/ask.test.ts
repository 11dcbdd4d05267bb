import {
  ActorFailedError,
  AskTimeoutError,
  defineActor,
  isActorFailedError,
  isActorStoppedError,
  isAskTimeoutError,
  isConfigError,
} from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { quiesce, rejection, simSystem } from './helpers.ts';

type Msg = { type: 'echo'; v: unknown } | { type: 'ignore' } | { type: 'boom' } | { type: 'fail' };

const Echo = defineActor('ask.echo', {
  init: () => 0,
  receive(s: number, m: Msg, ctx) {
    switch (m.type) {
      case 'echo':
        ctx.reply(m.v);
        break;
      case 'boom':
        throw new Error('boom');
      case 'fail':
        ctx.fail(new RangeError('nope'));
        break;
    }
    return s + 1;
  },
});

describe('ask', () => {
  it('resolves with ctx.reply', async () => {
    const { system } = await simSystem();
    const ref = system.spawnSync(Echo, undefined);
    await expect(ref.ask({ type: 'echo', v: { a: 1 } })).resolves.toEqual({ a: 1 });
    expect(system.stats()).toMatchObject({ sent: 1, processed: 1, inFlight: 0 });
  });

  it('times out on the injected clock with AskTimeoutError', async () => {
    const { system, clock } = await simSystem();
    const ref = system.spawnSync(Echo, undefined);
    const p = ref.ask({ type: 'ignore' }, { timeoutMs: 100 });
    let settled = false;
    p.catch(() => {}).finally(() => (settled = true));
    await quiesce(system);
    clock.advance(99);
    await quiesce(system);
    expect(settled).toBe(false);
    clock.advance(1);
    const err = await rejection(p);
    expect(err).toBeInstanceOf(AskTimeoutError);
    expect(isAskTimeoutError(err)).toBe(true);
    expect(err.context).toEqual({ target: ref.toJSON(), timeoutMs: 100, messageType: 'ignore' });
    // The message itself was processed: a timeout does not un-send it.
    expect(system.stats()).toMatchObject({ sent: 1, processed: 1 });
  });

  it('uses the system askTimeoutMs by default', async () => {
    const { system, clock } = await simSystem({ askTimeoutMs: 50 });
    const ref = system.spawnSync(Echo, undefined);
    const p = ref.ask({ type: 'ignore' });
    clock.advance(50);
    await expect(p).rejects.toSatisfy((e) => isAskTimeoutError(e) && e.context.timeoutMs === 50);
  });

  it('a reply cancels the timeout timer', async () => {
    const { system, clock } = await simSystem();
    const ref = system.spawnSync(Echo, undefined);
    await ref.ask({ type: 'echo', v: 1 }, { timeoutMs: 10 });
    expect(clock.pending).toBe(0);
  });

  it('rejects with ActorStoppedError when the actor is stopped', async () => {
    const { system } = await simSystem();
    const ref = system.spawnSync(Echo, undefined);
    await system.stop(ref);
    const err = await rejection(ref.ask({ type: 'echo', v: 1 }));
    expect(isActorStoppedError(err)).toBe(true);
    expect(err.context).toMatchObject({ target: ref.toJSON(), reason: 'stopped' });
    expect(system.stats().deadLettered.byReason).toEqual({ stopped: 1 });
  });

  it('rejects queued asks with ActorStoppedError when the actor stops before handling them', async () => {
    const { system } = await simSystem();
    const ref = system.spawnSync(Echo, undefined);
    const p = ref.ask({ type: 'echo', v: 1 });
    void system.stop(ref);
    await expect(p).rejects.toSatisfy(isActorStoppedError);
  });

  it('rejects with ActorFailedError (cause attached) when the handler throws', async () => {
    const { system } = await simSystem();
    const ref = system.spawnSync(Echo, undefined);
    const err = await rejection(ref.ask({ type: 'boom' }));
    expect(err).toBeInstanceOf(ActorFailedError);
    expect(isActorFailedError(err)).toBe(true);
    expect((err.cause as Error).message).toBe('boom');
    expect(err.context.target).toEqual(ref.toJSON());
    // The default policy restarts the actor: it keeps answering.
    await expect(ref.ask({ type: 'echo', v: 2 })).resolves.toBe(2);
    expect(system.stats().deadLettered.byReason).toEqual({ failed: 1 });
  });

  it('ctx.fail rejects the ask with the given error', async () => {
    const { system } = await simSystem();
    const ref = system.spawnSync(Echo, undefined);
    await expect(ref.ask({ type: 'fail' })).rejects.toBeInstanceOf(RangeError);
  });

  it.each([0, -1, Number.NaN, 2 ** 31, '5', Number.POSITIVE_INFINITY])(
    'rejects timeoutMs %s with a ConfigError',
    async (timeoutMs) => {
      const { system } = await simSystem();
      const ref = system.spawnSync(Echo, undefined);
      const err = await rejection(ref.ask({ type: 'echo', v: 1 }, { timeoutMs } as never));
      expect(isConfigError(err) && err.context.path).toBe('ask(options).timeoutMs');
      expect(system.stats().sent).toBe(0);
    },
  );

  it('rejects non-object options with a ConfigError', async () => {
    const { system } = await simSystem();
    const ref = system.spawnSync(Echo, undefined);
    await expect(ref.ask({ type: 'ignore' }, 5 as never)).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'ask(options)',
    );
  });

  it('an actor asking an actor gets the reply and is the sender', async () => {
    const { system } = await simSystem();
    const Who = defineActor('ask.who', {
      init: () => 0,
      receive(s: number, _m: 'who', ctx) {
        ctx.reply(ctx.sender?.id ?? null);
        return s;
      },
    });
    const Asker = defineActor('ask.asker', {
      init: () => 0,
      async receive(s: number, m: { peer: import('@troupe/runtime').ActorRef<'who'> }, ctx) {
        const id = await ctx.ask(m.peer, 'who');
        ctx.reply([id, ctx.self.id]);
        return s;
      },
    });
    const who = system.spawnSync(Who, undefined);
    const asker = system.spawnSync(Asker, undefined);
    const [seen, self] = await asker.ask<[number, number]>({ peer: who });
    expect(seen).toBe(self);
  });

  it('a reply to a plain tell from an actor goes to the sender; from outside it is a dead letter', async () => {
    const { system } = await simSystem();
    const got: unknown[] = [];
    const Relay = defineActor('ask.relay', {
      init: () => 0,
      receive(s: number, m: { to?: import('@troupe/runtime').ActorRef<Msg> } | string, ctx) {
        if (typeof m === 'string') got.push([m, ctx.sender?.id]);
        else m.to?.tell({ type: 'echo', v: 'back' });
        return s;
      },
    });
    const echo = system.spawnSync(Echo, undefined);
    const relay = system.spawnSync(Relay, undefined);
    relay.tell({ to: echo });
    echo.tell({ type: 'echo', v: 'nobody' }); // from outside: the reply has no target
    await quiesce(system);
    expect(got).toEqual([['back', echo.id]]);
    const s = system.stats();
    expect(s.deadLettered.byReason).toEqual({ 'no-reply-target': 1 });
    expect(s).toMatchObject({ sent: 5, processed: 4, inFlight: 0 });
  });
});
