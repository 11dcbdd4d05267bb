import { fileURLToPath } from 'node:url';
import { createSystem, isConfigError, SimulatedClock } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { resolveSpawnOptions } from '../src/kernel/spawn-options.ts';
import { resolveOptions } from '../src/system/options.ts';
import { pathOf } from './helpers.ts';

describe('system options', () => {
  it('has documented defaults', () => {
    const o = resolveOptions({});
    expect(o).toMatchObject({ executors: 0, throughput: 64, yieldMs: 5, askTimeoutMs: 5000 });
    expect(o.mailbox.capacity).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    [null, 'options'],
    [7, 'options'],
    [{ bogus: 1 }, 'options.bogus'],
    [{ executors: -1 }, 'options.executors'],
    [{ executors: 1.5 }, 'options.executors'],
    [{ executors: 'many' }, 'options.executors'],
    [{ throughput: 0 }, 'options.throughput'],
    [{ throughput: 2.5 }, 'options.throughput'],
    [{ yieldMs: 0 }, 'options.yieldMs'],
    [{ yieldMs: Number.POSITIVE_INFINITY }, 'options.yieldMs'],
    [{ askTimeoutMs: 0 }, 'options.askTimeoutMs'],
    [{ askTimeoutMs: 2 ** 31 }, 'options.askTimeoutMs'],
    [{ mailbox: { capacity: 0 } }, 'options.mailbox.capacity'],
    [{ mailbox: { overflow: 'x' } }, 'options.mailbox.overflow'],
    [{ mailbox: 3 }, 'options.mailbox'],
    [{ clock: {} }, 'options.clock'],
    [{ clock: { now: () => 0 } }, 'options.clock'],
    [{ events: 1 }, 'options.events'],
    [{ events: { perMessage: 'sometimes' } }, 'options.events.perMessage'],
    [{ events: { sampleRate: 2 } }, 'options.events.sampleRate'],
    [{ events: { sampleRate: -0.1 } }, 'options.events.sampleRate'],
    [{ actors: 5 }, 'options.actors'],
    [{ actors: './actors.js' }, 'options.actors'],
    [{ actors: 'actors.js' }, 'options.actors'],
  ])('rejects %j naming %s', (opts, path) => {
    expect(pathOf(() => resolveOptions(opts as never))).toBe(path);
  });

  it('createSystem validates before building anything', async () => {
    await expect(createSystem({ yieldMs: -1 })).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'options.yieldMs' && e.context.got === -1,
    );
  });

  it('a ConfigError message names the field, the expectation and the value', () => {
    try {
      resolveOptions({ throughput: 0 });
      expect.unreachable();
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      expect((e as Error).message).toBe('options.throughput: expected a positive integer, got 0');
      expect((e as { code: string }).code).toBe('config');
    }
  });

  it('a relative actors path is refused, saying to pass a URL; an absolute path or URL string loads', async () => {
    const err = await createSystem({ actors: './fixtures-actors.ts' }).catch((e: unknown) => e);
    expect(isConfigError(err) && err.context.path === 'options.actors').toBe(true);
    expect((err as Error).message).toContain("new URL('./actors.js', import.meta.url)");
    const url = new URL('../../../test/fixtures/names-actors.ts', import.meta.url);
    for (const actors of [fileURLToPath(url), url.href]) {
      const system = await createSystem({ actors, clock: new SimulatedClock() });
      expect(system.definitions().length).toBeGreaterThan(0);
      await system.shutdown();
    }
  });

  it('an actors module that cannot be imported is a ConfigError', async () => {
    await expect(
      createSystem({ actors: new URL('./does-not-exist.ts', import.meta.url), clock: new SimulatedClock() }),
    ).rejects.toSatisfy((e) => isConfigError(e) && e.context.path === 'options.actors');
  });
});

describe('spawn options', () => {
  it.each([
    [null, 's'],
    ['x', 's'],
    [{ nope: 1 }, 's.nope'],
    [{ name: '' }, 's.name'],
    [{ name: 3 }, 's.name'],
    [{ parent: {} }, 's.parent'],
    [{ mailbox: { capacity: -2 } }, 's.mailbox.capacity'],
  ])('rejects %j naming %s', (opts, path) => {
    expect(pathOf(() => resolveSpawnOptions(opts as never, 's'))).toBe(path);
  });
});

describe('null options', () => {
  it('a null option is a ConfigError naming it, not the default', async () => {
    for (const key of ['clock', 'throughput', 'mailbox', 'events', 'askTimeoutMs']) {
      await expect(createSystem({ [key]: null } as never)).rejects.toSatisfy(
        (e) => isConfigError(e) && e.context.path === `options.${key}`,
      );
    }
  });
});
