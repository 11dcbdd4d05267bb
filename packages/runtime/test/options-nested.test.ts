/**
 * Every options object, nested ones included, refuses unknown keys with a
 * ConfigError naming the path and the closest valid key; every time option
 * has a range, and the error states it (src/kernel/validate.ts).
 */
import {
  type ActorSystem,
  createSystem,
  defineActor,
  isConfigError,
  SimulatedClock,
  supervisor,
} from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { closest, editDistance } from '../src/kernel/validate.ts';

const Echo = defineActor('echo', {
  init: () => null,
  receive(s: null, msg: { type: string; delayMs?: number; opts?: object }, ctx) {
    if (msg.type === 'schedule') {
      try {
        ctx.schedule(msg.delayMs ?? 1, { type: 'tick' }, msg.opts as never);
        ctx.reply(null);
      } catch (e) {
        ctx.reply(e);
      }
    } else ctx.reply(msg.type);
    return s;
  },
});

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown({ timeoutMs: 100 });
  system = undefined;
});

async function sim(): Promise<ActorSystem> {
  system = await createSystem({ clock: new SimulatedClock() });
  return system;
}

/** The ConfigError `f` throws or rejects with (anything else fails the test). */
async function configError(
  f: () => unknown,
): Promise<{ path: string; suggestion?: string; message: string }> {
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  if (!isConfigError(err)) throw new Error(`expected a ConfigError, got ${String(err)}`);
  return { ...err.context, message: err.message };
}

const ok = { init: () => null, receive: (s: null) => s };

describe('unknown keys, nested ones included, name the path and the closest valid key', () => {
  it.each<[string, () => unknown, string, string | undefined]>([
    [
      'mailbox.size',
      () => createSystem({ mailbox: { size: 10 } as never }),
      'options.mailbox.size',
      'capacity',
    ],
    ['top level', () => createSystem({ askTimeout: 100 } as never), 'options.askTimeout', 'askTimeoutMs'],
    [
      'events',
      () => createSystem({ events: { sampleRat: 1 } as never }),
      'options.events.sampleRat',
      'sampleRate',
    ],
    [
      'deadlock',
      () => createSystem({ deadlock: { stalMs: 5 } as never }),
      'options.deadlock.stalMs',
      'stallMs',
    ],
    [
      'topology',
      () => createSystem({ topology: { group: [[0]] } as never }),
      'options.topology.group',
      'groups',
    ],
    [
      'restartBreaker',
      () => createSystem({ restartBreaker: { maxLoss: 2 } as never }),
      'options.restartBreaker.maxLoss',
      'maxLosses',
    ],
    [
      'resourceLimits',
      () => createSystem({ resourceLimits: { maxOldGenerationSize: 64 } as never }),
      'options.resourceLimits.maxOldGenerationSize',
      'maxOldGenerationSizeMb',
    ],
    [
      'no near key',
      () => createSystem({ mailbox: { zzzzzz: 1 } as never }),
      'options.mailbox.zzzzzz',
      undefined,
    ],
    [
      'defineActor hook',
      () => defineActor('x', { ...ok, onStrat: () => null } as never),
      'defineActor("x").onStrat',
      'onStart',
    ],
    [
      'defineActor options',
      () => defineActor('x', ok, { pinnned: true } as never),
      'defineActor("x", options).pinnned',
      'pinned',
    ],
    [
      'defineActor mailbox',
      () => defineActor('x', { ...ok, mailbox: { size: 1 } as never }),
      'defineActor("x").mailbox.size',
      'capacity',
    ],
    [
      'defineActor supervision intensity',
      () => defineActor('x', ok, { supervision: { intensity: { maxRestart: 1 } as never } }),
      'defineActor("x").supervision.intensity.maxRestart',
      'maxRestarts',
    ],
    [
      'supervisor child mailbox',
      () => supervisor({ id: 's', children: [{ id: 'c', actor: 'echo', mailbox: { size: 1 } as never }] }),
      'children[0].mailbox.size',
      'capacity',
    ],
    [
      'supervisor backoff',
      () => supervisor({ id: 's', backoff: { minMS: 1, maxMs: 2 } as never }),
      'backoff.minMS',
      'minMs',
    ],
    ['supervisor spec', () => supervisor({ id: 's', childs: [] } as never), 'childs', 'children'],
  ])('%s', async (_what, f, path, suggestion) => {
    const e = await configError(f);
    expect(e.path).toBe(path);
    expect(e.suggestion).toBe(suggestion);
    if (suggestion !== undefined) expect(e.message).toContain(`did you mean \`${suggestion}\`?`);
  });

  it('mailbox: { size: 10 } no longer leaves the mailbox silently unbounded', async () => {
    const e = await configError(() => createSystem({ mailbox: { size: 10 } as never }));
    expect(e.message).toBe(
      'options.mailbox.size: unknown option of options.mailbox; did you mean `capacity`? (valid: capacity, overflow)',
    );
  });

  it('spawn options: nested mailbox, retry and placement (in-thread too)', async () => {
    const s = await sim();
    const spawn = (o: object) => () => s.spawn(Echo, undefined, o as never);
    expect(await configError(spawn({ mailbox: { capacty: 1 } }))).toMatchObject({
      path: 'system.spawn(options).mailbox.capacty',
      suggestion: 'capacity',
    });
    expect(await configError(spawn({ retry: { attempts: 1, backof: 5 } }))).toMatchObject({
      path: 'system.spawn(options).retry.backof',
      suggestion: 'backoff',
    });
    expect(await configError(spawn({ placement: 'everywhere' }))).toMatchObject({
      path: 'system.spawn(options).placement',
    });
    expect(await configError(spawn({ placement: 'sprea' }))).toMatchObject({
      path: 'system.spawn(options).placement',
      suggestion: 'spread',
    });
    expect(await configError(spawn({ placement: { executr: 1 } }))).toMatchObject({
      path: 'system.spawn(options).placement.executr',
      suggestion: 'executor',
    });
    expect(await configError(spawn({ placement: { executor: 0 } }))).toMatchObject({
      path: 'system.spawn(options).placement.executor',
    });
    expect(await configError(spawn({ placement: { executor: 1, group: 0 } }))).toMatchObject({
      path: 'system.spawn(options).placement',
    });
    expect(await configError(spawn({ nmae: 'a' }))).toMatchObject({
      path: 'system.spawn(options).nmae',
      suggestion: 'name',
    });
    // The valid forms still spawn in-thread (a placement has nowhere to go there).
    for (const placement of ['local', 'spread', { group: 0 }, { executor: 1 }])
      await s.spawn(Echo, undefined, { placement } as never);
  });

  it('ask({ timeout }) is refused instead of falling back to the 5 s default', async () => {
    const s = await sim();
    const ref = await s.spawn(Echo, undefined);
    const e = await configError(() => ref.ask({ type: 'x' }, { timeout: 100 } as never));
    expect(e).toMatchObject({ path: 'ask(options).timeout', suggestion: 'timeoutMs' });
  });

  it('ctx.schedule options', async () => {
    const s = await sim();
    const ref = await s.spawn(Echo, undefined);
    const e = await ref.ask({ type: 'schedule', opts: { repat: true } });
    expect(isConfigError(e)).toBe(true);
    expect((e as { context: object }).context).toMatchObject({
      path: 'ctx.schedule(options).repat',
      suggestion: 'repeat',
    });
  });

  it('shutdown, onShutdown, handleSignals, start and migrate options', async () => {
    const s = await sim();
    expect(await configError(() => s.shutdown({ timeout: 10 } as never))).toMatchObject({
      path: 'shutdown(options).timeout',
      suggestion: 'timeoutMs',
    });
    expect(await configError(() => s.onShutdown('flush', () => {}, { timout: 5 } as never))).toMatchObject({
      path: 'onShutdown(options).timout',
      suggestion: 'timeoutMs',
    });
    expect(await configError(() => s.handleSignals(['SIGTERM'], { exitAfter: 5 } as never))).toMatchObject({
      path: 'handleSignals(options).exitAfter',
      suggestion: 'exitAfterMs',
    });
    expect(
      await configError(() => s.start({ id: 'app', children: [] }, { onFailur: 'restart' } as never)),
    ).toMatchObject({ path: 'system.start(options).onFailur', suggestion: 'onFailure' });
    expect(
      await configError(() =>
        s.start({ id: 'app', children: [] }, { onFailure: 'restart', intensity: { within: 5 } } as never),
      ),
    ).toMatchObject({ path: 'system.start(options).intensity.within', suggestion: 'withinMs' });
    const ref = await s.spawn(Echo, undefined);
    expect(await configError(() => s.migrate(ref, { exec: 1 } as never))).toMatchObject({
      path: 'system.migrate(ref, to).exec',
      suggestion: 'executor',
    });
  });

  it('an unknown supervisor child actor name suggests the closest definition', async () => {
    const s = await sim();
    await s.spawn(Echo, undefined);
    const e = await configError(() => s.start({ id: 'app', children: [{ id: 'c', actor: 'ecko' }] }));
    expect(e).toMatchObject({ path: 'children[0].actor', suggestion: 'echo' });
  });
});

describe('time options have a range, and the error says it', () => {
  const range = /(an integer|a number) in [[(]-?[\d.]+, \d+\]/;
  it.each<[object, string]>([
    [{ yieldMs: 1e12 }, 'options.yieldMs'],
    [{ yieldMs: 0 }, 'options.yieldMs'],
    [{ askTimeoutMs: 1e12 }, 'options.askTimeoutMs'],
    [{ watchdogIntervalMs: 1e12 }, 'options.watchdogIntervalMs'],
    [{ watchdogIntervalMs: 1 }, 'options.watchdogIntervalMs'],
    [{ hangTimeoutMs: 1000, watchdogIntervalMs: 5000 }, 'options.watchdogIntervalMs'],
    [{ hangTimeoutMs: 1 }, 'options.hangTimeoutMs'],
    [{ hangTimeoutMs: 1e12 }, 'options.hangTimeoutMs'],
    [{ stealCooldownMs: 1e12 }, 'options.stealCooldownMs'],
    [{ idleTimeoutMs: 1e12 }, 'options.idleTimeoutMs'],
    [{ idleSpinMs: 1e12 }, 'options.idleSpinMs'],
    [{ restartBreaker: { windowMs: 1e12 } }, 'options.restartBreaker.windowMs'],
    [{ deadlock: { stallMs: 0.5 } }, 'options.deadlock.stallMs'],
    [{ deadlock: { slowHandlerMs: 1e12 } }, 'options.deadlock.slowHandlerMs'],
    [{ resourceLimits: { stackSizeMb: 0.2 } }, 'options.resourceLimits.stackSizeMb'],
    [{ resourceLimits: { maxOldGenerationSizeMb: 1e12 } }, 'options.resourceLimits.maxOldGenerationSizeMb'],
  ])('createSystem(%j) names %s with its range', async (opts, path) => {
    const e = await configError(() => createSystem(opts as never));
    expect(e.path).toBe(path);
    expect(e.message).toMatch(range);
  });

  it('the boundaries themselves are accepted', async () => {
    for (const opts of [
      { yieldMs: 60_000 },
      { hangTimeoutMs: 100, watchdogIntervalMs: 100 },
      { hangTimeoutMs: false as const, watchdogIntervalMs: 60_000 },
      { stealCooldownMs: 0 },
      { resourceLimits: { stackSizeMb: 1 } },
      { deadlock: { stallMs: 1 } },
    ]) {
      const s = await createSystem({ clock: new SimulatedClock(), ...opts });
      await s.shutdown({ timeoutMs: 100 });
    }
  });

  it.each<[string, () => unknown, string]>([
    ['backoff.maxMs', () => supervisor({ id: 's', backoff: { minMs: 1, maxMs: 1e12 } }), 'backoff.maxMs'],
    [
      'backoff.resetAfterMs',
      () => supervisor({ id: 's', backoff: { minMs: 1, maxMs: 2, resetAfterMs: 1e12 } }),
      'backoff.resetAfterMs',
    ],
    [
      'intensity.withinMs',
      () => supervisor({ id: 's', intensity: { withinMs: 1e12 } }),
      'intensity.withinMs',
    ],
    [
      'child shutdownMs',
      () => supervisor({ id: 's', children: [{ id: 'c', actor: 'echo', shutdownMs: 1e12 }] }),
      'children[0].shutdownMs',
    ],
    [
      'retry backoff',
      () => defineActor('x', ok, { retry: { attempts: 1, backoff: 1e12 } }),
      'defineActor("x").retry.backoff',
    ],
  ])('%s', async (_what, f, path) => {
    const e = await configError(f);
    expect(e.path).toBe(path);
    expect(e.message).toMatch(range);
  });

  it('ask timeoutMs, ctx.schedule delayMs and handleSignals times', async () => {
    const s = await sim();
    const ref = await s.spawn(Echo, undefined);
    const a = await configError(() => ref.ask({ type: 'x' }, { timeoutMs: 1e12 }));
    expect(a.path).toBe('ask(options).timeoutMs');
    expect(a.message).toMatch(range);
    const d = await ref.ask<{ context: { path: string }; message: string }>({
      type: 'schedule',
      delayMs: 1e12,
    });
    expect(d.context.path).toBe('ctx.schedule(delayMs)');
    expect(d.message).toMatch(range);
    for (const key of ['exitAfterMs', 'timeoutMs']) {
      const e = await configError(() => s.handleSignals(['SIGTERM'], { [key]: 1e12 }));
      expect(e.path).toBe(`handleSignals(options).${key}`);
      expect(e.message).toMatch(range);
    }
  });
});

describe('closest', () => {
  it('prefers synonyms, unit suffixes and case, then small edit distances', () => {
    expect(closest('size', ['capacity', 'overflow'])).toBe('capacity');
    expect(closest('timeout', ['timeoutMs', 'reentrant'])).toBe('timeoutMs');
    expect(closest('MINMS', ['minMs', 'maxMs'])).toBe('minMs');
    expect(closest('capacty', ['capacity', 'overflow'])).toBe('capacity');
    expect(closest('banana', ['capacity', 'overflow'])).toBeUndefined();
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
