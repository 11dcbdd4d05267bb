import {
  createSystem,
  DuplicateNameError,
  defineActor,
  isConfigError,
  isDuplicateNameError,
  isInitFailedError,
  isShutdownError,
  isUnknownActorError,
  SimulatedClock,
} from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { rejection } from './helpers.ts';

const Counter = defineActor('counter', {
  init: (p: { start: number }) => ({ n: p.start }),
  receive(s, m: { type: 'inc' } | { type: 'get' }, ctx) {
    if (m.type === 'get') ctx.reply(s.n);
    return m.type === 'inc' ? { n: s.n + 1 } : s;
  },
});

describe('system', () => {
  it('spawns, tells, asks and accounts for every message', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const c = await system.spawn(Counter, { start: 5 }, { name: 'c' });
    c.tell({ type: 'inc' });
    c.tell({ type: 'inc' });
    await expect(c.ask({ type: 'get' })).resolves.toBe(7);
    expect(system.lookup('c')).toBe(c);
    const s = system.stats();
    expect(s).toMatchObject({ sent: 3, processed: 3, deadLettered: { total: 0 }, inFlight: 0 });
    await system.shutdown();
  });

  it('rejects unknown options naming the field', async () => {
    await expect(createSystem({ throughput: 0 })).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'options.throughput',
    );
  });

  it('finds named actors with lookup and frees the name when they stop', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const c = system.spawnSync(Counter, { start: 0 }, { name: 'n1' });
    expect(system.lookup('n1')).toBe(c);
    expect(system.lookup('nope')).toBeUndefined();
    expect(() => system.lookup(5 as never)).toThrow(expect.objectContaining({ code: 'config' }));
    await system.stop(c);
    expect(system.lookup('n1')).toBeUndefined();
    const again = system.spawnSync(Counter, { start: 1 }, { name: 'n1' });
    expect(system.lookup('n1')).toBe(again);
  });

  it('refuses a duplicate name with DuplicateNameError naming the existing actor', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const c = system.spawnSync(Counter, { start: 0 }, { name: 'dup' });
    const err = await rejection(system.spawn(Counter, { start: 0 }, { name: 'dup' }));
    expect(err).toBeInstanceOf(DuplicateNameError);
    expect(isDuplicateNameError(err)).toBe(true);
    expect(err.context).toEqual({ name: 'dup', existing: c.toJSON() });
    expect(system.stats().actors).toBe(1);
  });

  it('refuses two different definitions under one name', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const Other = defineActor('counter', { init: () => 0, receive: (s: number) => s });
    system.spawnSync(Counter, { start: 0 });
    expect(() => system.spawnSync(Other, undefined)).toThrow(
      expect.objectContaining({ context: expect.objectContaining({ path: 'system.spawn(def).name' }) }),
    );
    expect(() => system.spawnSync({} as never, undefined as never)).toThrow(
      expect.objectContaining({ context: expect.objectContaining({ path: 'system.spawn(def)' }) }),
    );
  });

  it('a throwing init is an InitFailedError and no actor is left behind', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const Bad = defineActor('bad-init', {
      init: (): number => {
        throw new Error('no');
      },
      receive: (s: number) => s,
    });
    const err = await rejection(system.spawn(Bad, undefined, { name: 'bad' }));
    expect(isInitFailedError(err)).toBe(true);
    expect((err.cause as Error).message).toBe('no');
    expect(system.stats().actors).toBe(0);
    expect(system.lookup('bad')).toBeUndefined();
  });

  it('rehydrating an unknown definition is an UnknownActorError listing the known ones', async () => {
    const a = await createSystem({ clock: new SimulatedClock() });
    const b = await createSystem({ clock: new SimulatedClock(), actors: { Counter } });
    const Lonely = defineActor('lonely', { init: () => 1, receive: (s: number) => s });
    const bytes = a.dehydrate(a.spawnSync(Lonely, undefined));
    const err = (() => {
      try {
        b.rehydrate(bytes);
      } catch (e) {
        return e;
      }
    })() as { context: { definition: string }; message: string };
    expect(isUnknownActorError(err)).toBe(true);
    expect(err.context.definition).toBe('lonely');
    expect(err.message).toContain('counter');
    expect(() => b.rehydrate('x' as never)).toThrow(
      expect.objectContaining({ context: expect.objectContaining({ path: 'system.rehydrate(bytes)' }) }),
    );
  });

  it('validates refs given to stop, dehydrate and detach', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    expect(() => system.stop({} as never)).toThrow(
      expect.objectContaining({ context: expect.objectContaining({ path: 'system.stop(ref)' }) }),
    );
    const c = system.spawnSync(Counter, { start: 0 });
    await system.stop(c);
    await expect(system.stop(c)).resolves.toBeUndefined();
    // A stopped actor cannot be encoded: a ConfigError saying it is not alive.
    expect(() => system.dehydrate(c)).toThrow(
      expect.objectContaining({ code: 'config', context: expect.objectContaining({ got: 'not alive' }) }),
    );
    expect(() => system.detach(c)).toThrow(expect.objectContaining({ code: 'config' }));
    expect(() => system.dehydrate(1 as never)).toThrow(
      expect.objectContaining({ context: expect.objectContaining({ path: 'system.dehydrate(ref)' }) }),
    );
    expect(() => system.detach(null as never)).toThrow(
      expect.objectContaining({ context: expect.objectContaining({ path: 'system.detach(ref)' }) }),
    );
  });

  it('tell to a stopped actor never throws; it is a dead letter', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const c = system.spawnSync(Counter, { start: 0 });
    await system.stop(c);
    expect(() => c.tell({ type: 'inc' })).not.toThrow();
    expect(system.stats()).toMatchObject({ sent: 1, deadLettered: { total: 1, byReason: { stopped: 1 } } });
  });

  it('refuses spawns after shutdown with a ShutdownError', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    await system.shutdown();
    await expect(system.spawn(Counter, { start: 0 })).rejects.toSatisfy(isShutdownError);
  });

  it('knows definitions from the actors module and from spawns', async () => {
    const system = await createSystem({ clock: new SimulatedClock(), actors: { Counter, notOne: 5 } });
    expect(system.definitions()).toEqual(['counter']);
  });
});
