import { type ActorRef, defineActor, isTerminated, Terminated } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { checkRef } from '../src/kernel/ref.ts';
import { quiesce, simSystem } from './helpers.ts';

const Sink = defineActor('ref.sink', {
  init: () => [] as unknown[],
  receive(s: unknown[], m: unknown, ctx) {
    s.push([m, ctx.sender?.id]);
    if (ctx.isAsk) ctx.reply(s);
    return s;
  },
});

describe('ActorRef', () => {
  it('describes itself as text and JSON', async () => {
    const { system } = await simSystem();
    const named = system.spawnSync(Sink, undefined, { name: 'sink' });
    const anon = system.spawnSync(Sink, undefined);
    expect(named.toString()).toBe(`ActorRef(sink:ref.sink#${named.id})`);
    expect(anon.toString()).toBe(`ActorRef(ref.sink#${anon.id})`);
    expect(named.toJSON()).toEqual({ id: named.id, name: 'sink', def: 'ref.sink' });
    expect(JSON.parse(JSON.stringify({ r: anon }))).toEqual({ r: { id: anon.id, def: 'ref.sink' } });
  });

  it('ids are unique and embed the host node', async () => {
    const { system } = await simSystem();
    const ids = Array.from({ length: 50 }, () => system.spawnSync(Sink, undefined).id);
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(id % 1024).toBe(system.host.node);
  });

  it('tell from outside has no sender; from a handler the running actor is the sender', async () => {
    const { system } = await simSystem();
    const sink = system.spawnSync(Sink, undefined);
    const Relay = defineActor('ref.relay', {
      init: () => 0,
      receive(s: number, m: ActorRef) {
        m.tell('via relay');
        return s;
      },
    });
    const relay = system.spawnSync(Relay, undefined);
    sink.tell('outside');
    relay.tell(sink);
    await quiesce(system);
    expect(await sink.ask('q')).toEqual([
      ['outside', undefined],
      ['via relay', relay.id],
      ['q', undefined],
    ]);
  });

  it('checkRef names the path of a non-ref', () => {
    expect(() => checkRef({ id: 1 }, 'x.to')).toThrow(
      expect.objectContaining({ code: 'config', context: expect.objectContaining({ path: 'x.to' }) }),
    );
  });

  it('Terminated is recognised by isTerminated', async () => {
    const { system } = await simSystem();
    const r = system.spawnSync(Sink, undefined);
    const t = new Terminated(r, 'stopped');
    expect(isTerminated(t)).toBe(true);
    expect(isTerminated({ type: 'troupe.terminated' })).toBe(false);
    expect(t).toMatchObject({ type: 'troupe.terminated', ref: r, reason: 'stopped' });
  });
});
