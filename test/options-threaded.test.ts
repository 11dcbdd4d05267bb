/**
 * Option errors that only threaded mode can produce: a definition the
 * executors do not know, V8 limits an executor cannot start under (the
 * failed system leaves nothing installed), and placements checked before
 * anything crosses a thread.
 */
import {
  type ActorSystem,
  createSystem,
  defineActor,
  isConfigError,
  isUnknownActorError,
} from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

const NotExported = defineActor('not-exported', { init: () => null, receive: (s: null) => s });

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => {
      throw new Error(`expected a rejection, got ${String(v)}`);
    },
    (e: unknown) => e,
  );
}

describe('threaded option errors', () => {
  it('spawning a definition the actors module does not export is an UnknownActorError', async () => {
    system = await createSystem({ actors, executors: 1 });
    const e = await failure(system.spawn(NotExported, undefined));
    expect(isUnknownActorError(e)).toBe(true);
    expect((e as { context: { definition: string } }).context.definition).toBe('not-exported');
    expect((e as Error).message).toContain('actors module');
    // The module's own definitions still spawn.
    const ok = await system.spawn(A.where, undefined);
    expect(typeof (await ok.ask<number>({ type: 'where' }))).toBe('number');
  });

  it('resourceLimits an executor cannot start under are reported on options.resourceLimits.*', async () => {
    const e = await failure(
      createSystem({ actors, executors: 1, resourceLimits: { maxOldGenerationSizeMb: 4 } }),
    );
    expect(isConfigError(e)).toBe(true);
    expect((e as { context: { path: string } }).context.path).toBe(
      'options.resourceLimits.maxOldGenerationSizeMb',
    );
    expect((e as Error).message).toMatch(/cannot be honoured/);
  });

  it('a system whose executors cannot start leaves no signal handler behind', async () => {
    const before = { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') };
    const e = await failure(
      createSystem({
        actors,
        executors: 1,
        handleSignals: true,
        resourceLimits: { maxOldGenerationSizeMb: 4 },
      }),
    );
    expect(isConfigError(e)).toBe(true);
    // Nobody holds that system: a listener left behind would turn the next SIGTERM into its shutdown.
    expect({ term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') }).toEqual(before);
  });

  it('a placement with an unknown key is refused before it crosses, naming the closest key', async () => {
    system = await createSystem({ actors, executors: 1 });
    const e = await failure(system.spawn(A.where, undefined, { placement: { executr: 1 } } as never));
    expect(isConfigError(e)).toBe(true);
    expect((e as { context: object }).context).toMatchObject({
      path: 'system.spawn(options).placement.executr',
      suggestion: 'executor',
    });
  });
});
