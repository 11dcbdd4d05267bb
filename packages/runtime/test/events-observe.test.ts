/**
 * `system.observe({ sampleRate })` (kernel/events.ts EventBus.observe): a subscriber chooses its
 * cost. 0 sees lifecycle events without turning per-message events on; a rate samples sends and
 * handler runs alike; the highest rate any subscriber asked for is what is produced.
 */
import { type AnyTroupeEvent, defineActor, isConfigError } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../src/kernel/events.ts';
import { quiesce, simSystem } from './helpers.ts';

const Work = defineActor('observe.work', {
  init: () => 0,
  receive: (s: number, _m: { type: 'w' }) => s + 1,
});

const count = (events: AnyTroupeEvent[], type: string) => events.filter((e) => e.type === type).length;

describe('system.observe', () => {
  it('sampleRate 0: lifecycle events arrive, per-message events stay off', async () => {
    const { system } = await simSystem();
    const seen: AnyTroupeEvent[] = [];
    const sub = system.observe({ sampleRate: 0 }).subscribe((e) => seen.push(e));
    expect(system.host.events.perMessage).toBe(false);
    const w = system.spawnSync(Work, undefined);
    for (let i = 0; i < 10; i++) w.tell({ type: 'w' });
    await quiesce(system);
    await system.stop(w);
    expect(seen.map((e) => e.type)).toEqual(['actor.spawned', 'actor.stopped']);
    sub.unsubscribe();
  });

  it('a rate samples sends, receives and runs alike', async () => {
    const { system } = await simSystem();
    const seen: AnyTroupeEvent[] = [];
    system.observe({ sampleRate: 0.1 }).subscribe((e) => seen.push(e));
    const w = system.spawnSync(Work, undefined);
    for (let i = 0; i < 100; i++) w.tell({ type: 'w' });
    await quiesce(system);
    expect(count(seen, 'message.sent')).toBe(10);
    expect(count(seen, 'message.received')).toBe(10);
    expect(count(seen, 'message.processed')).toBe(10);
  });

  it('the highest rate wins while its subscriber stays, and only then', async () => {
    const { system } = await simSystem();
    const cheap: AnyTroupeEvent[] = [];
    system.observe({ sampleRate: 0 }).subscribe((e) => cheap.push(e));
    const w = system.spawnSync(Work, undefined);
    const full = system.events$.subscribe(() => {});
    for (let i = 0; i < 20; i++) w.tell({ type: 'w' });
    await quiesce(system);
    expect(count(cheap, 'message.processed')).toBe(20);
    full.unsubscribe();
    expect(system.host.events.perMessage).toBe(false);
    for (let i = 0; i < 20; i++) w.tell({ type: 'w' });
    await quiesce(system);
    expect(count(cheap, 'message.processed')).toBe(20);
  });

  it('options.events.sampleRate caps what a subscriber gets', () => {
    const bus = new EventBus({ sampleRate: 0.25 });
    const s = bus.observe(1).subscribe(() => {});
    expect(bus.interval).toBe(4);
    s.unsubscribe();
    expect(bus.interval).toBe(Number.POSITIVE_INFINITY);
    expect(bus.perMessage).toBe(false);
  });

  it('rejects a bad sampleRate with a ConfigError naming it', async () => {
    const { system } = await simSystem();
    for (const bad of [{ sampleRate: 2 }, { sampleRate: -1 }, { sampleRate: 'x' }, {}, null])
      expect(() => system.observe(bad as never)).toThrow(
        expect.objectContaining({ code: 'config' }) as unknown as Error,
      );
    try {
      system.observe({ sampleRate: 2 });
    } catch (e) {
      expect(isConfigError(e) && e.context.path).toBe('system.observe(options).sampleRate');
    }
    expect(() => system.observe({ sampleRate: 1, rate: 1 } as never)).toThrow(/rate/);
  });
});
