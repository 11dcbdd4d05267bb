import {
  type AnyTroupeEvent,
  type DeadLetter,
  defineActor,
  type MessageProcessedEvent,
  type TroupeEvent,
} from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { EventBus, messageType } from '../src/kernel/events.ts';
import { quiesce, simSystem } from './helpers.ts';

const Work = defineActor('events.work', {
  init: () => 0,
  receive(s: number, m: { type: 'w' } | { type: 'boom' }, ctx) {
    if (m.type === 'boom') throw new Error('boom');
    if (ctx.isAsk) ctx.reply(s);
    return s + 1;
  },
});

const perMessage = (e: AnyTroupeEvent) => e.type.startsWith('message.') && e.type !== 'message.dead-lettered';

describe('events$', () => {
  it('streams typed lifecycle events: spawned, failed, restarted, stopped', async () => {
    const { system } = await simSystem();
    const events: AnyTroupeEvent[] = [];
    system.events$.subscribe((e) => events.push(e));
    const w = system.spawnSync(Work, undefined, { name: 'w' });
    w.tell({ type: 'boom' });
    await quiesce(system);
    await system.stop(w);
    const lifecycle = events.filter((e) => e.type.startsWith('actor.')).map((e) => e.type);
    expect(lifecycle).toEqual(['actor.spawned', 'actor.failed', 'actor.restarted', 'actor.stopped']);
    const spawned = events[0] as Extract<TroupeEvent, { type: 'actor.spawned' }>;
    expect(spawned.actor).toEqual({ id: w.id, name: 'w', def: 'events.work' });
    expect(typeof spawned.at).toBe('number');
    const stopped = events.find((e) => e.type === 'actor.stopped') as Extract<
      TroupeEvent,
      { type: 'actor.stopped' }
    >;
    expect(stopped.reason).toBe('stopped');
  });

  it('produces per-message events (sent, received, processed with duration) while subscribed', async () => {
    const { system } = await simSystem();
    const events: AnyTroupeEvent[] = [];
    const sub = system.events$.subscribe((e) => events.push(e));
    const w = system.spawnSync(Work, undefined);
    w.tell({ type: 'w' });
    await w.ask({ type: 'w' });
    const msgs = events.filter(perMessage);
    expect(msgs.map((e) => e.type)).toEqual([
      'message.sent',
      'message.sent',
      'message.received',
      'message.processed',
      'message.received',
      'message.processed',
    ]);
    expect(msgs[1]).toMatchObject({ to: w.toJSON(), messageType: 'w', ask: true });
    expect((msgs[3] as MessageProcessedEvent).durationMs).toBeGreaterThanOrEqual(0);
    sub.unsubscribe();
    const before = events.length;
    w.tell({ type: 'w' });
    await quiesce(system);
    expect(events.length).toBe(before);
  });

  it('produces no per-message event objects while nobody subscribes', async () => {
    const { system } = await simSystem();
    const host = system.host;
    let built = 0;
    const orig = { s: host.emitSent, r: host.emitReceived, p: host.emitProcessed };
    host.emitSent = (...a) => {
      built++;
      return orig.s.apply(host, a);
    };
    host.emitReceived = (...a) => {
      built++;
      return orig.r.apply(host, a);
    };
    host.emitProcessed = (...a) => {
      built++;
      return orig.p.apply(host, a);
    };
    const w = system.spawnSync(Work, undefined);
    for (let i = 0; i < 100; i++) w.tell({ type: 'w' });
    await quiesce(system);
    expect(host.events.perMessage).toBe(false);
    expect(built).toBe(0);
    const sub = system.events$.subscribe(() => {});
    expect(host.events.perMessage).toBe(true);
    w.tell({ type: 'w' });
    await quiesce(system);
    expect(built).toBe(3);
    sub.unsubscribe();
    expect(host.events.perMessage).toBe(false);
  });

  it('perMessage "off" keeps lifecycle events but never per-message ones', async () => {
    const { system } = await simSystem({ events: { perMessage: 'off' } });
    const events: AnyTroupeEvent[] = [];
    system.events$.subscribe((e) => events.push(e));
    const w = system.spawnSync(Work, undefined);
    await w.ask({ type: 'w' });
    expect(events.map((e) => e.type)).toEqual(['actor.spawned']);
  });

  it('samples per-message events at sampleRate', async () => {
    const { system } = await simSystem({ events: { sampleRate: 0.25 } });
    const events: AnyTroupeEvent[] = [];
    system.events$.subscribe((e) => events.push(e));
    const w = system.spawnSync(Work, undefined);
    for (let i = 0; i < 100; i++) w.tell({ type: 'w' });
    await quiesce(system);
    expect(events.filter((e) => e.type === 'message.processed')).toHaveLength(25);
    expect(events.filter((e) => e.type === 'message.received')).toHaveLength(25);
  });

  it('sampleRate 0 turns per-message events off', () => {
    const bus = new EventBus({ sampleRate: 0, perMessage: 'on' });
    expect(bus.perMessage).toBe(false);
    expect(new EventBus({ perMessage: 'on' }).perMessage).toBe(true);
  });

  it('names messages by their type field, else by their JS type', () => {
    expect(messageType({ type: 'x' })).toBe('x');
    expect(messageType(new (class Foo {})())).toBe('Foo');
    expect(messageType(Object.create(null))).toBe('object');
    expect(messageType(3)).toBe('number');
    expect(messageType('s')).toBe('string');
    expect(messageType(null)).toBe('object');
  });
});

describe('deadLetters$', () => {
  it('carries the message, recipient, sender and reason; also as an event', async () => {
    const { system } = await simSystem();
    const dead: DeadLetter[] = [];
    const events: AnyTroupeEvent[] = [];
    system.deadLetters$.subscribe((d) => dead.push(d));
    system.events$.subscribe((e) => events.push(e));
    const w = system.spawnSync(Work, undefined);
    const Forward = defineActor('events.forward', {
      init: () => 0,
      receive(s: number, m: { type: 'w' }) {
        w.tell(m);
        return s;
      },
    });
    const f = system.spawnSync(Forward, undefined);
    await system.stop(w);
    f.tell({ type: 'w' });
    await quiesce(system);
    expect(dead).toEqual([
      { message: { type: 'w' }, recipient: w.toJSON(), sender: f.toJSON(), reason: 'stopped', at: 0 },
    ]);
    expect(events.find((e) => e.type === 'message.dead-lettered')).toMatchObject({
      to: w.toJSON(),
      from: f.toJSON(),
      messageType: 'w',
      reason: 'stopped',
    });
  });
});
