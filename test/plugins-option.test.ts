/**
 * User plugins (options.plugins, options.executorSetup): a plugin given to
 * createSystem joins the main thread's host; a setup module each executor
 * imports first adds its `plugins` to that executor's host. Bad values are
 * ConfigErrors naming the option.
 */
import { threadId } from 'node:worker_threads';
import { createSystem, isConfigError, type Plugin } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { where } from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
const tagging = new URL('./fixtures/setup/tagging.ts', import.meta.url);

/** Tags sends with the sending node, records where each message is handled. */
function mainTagger(seen: unknown[][]): Plugin {
  return {
    name: 'test.main-tagger',
    install(api) {
      const node = api.host.node;
      api.intercept({
        send: () => `from-${node}`,
        process: (cell, msg, data) => seen.push([node, cell.def.name, msg, data]),
      });
    },
  };
}

describe('options.plugins and options.executorSetup', () => {
  it('in-thread: a plugin joins the host after the runtime features; its interceptor sees every message', async () => {
    const seen: unknown[][] = [];
    const system = await createSystem({ actors, plugins: [mainTagger(seen)] });
    const a = await system.spawn(where, undefined);
    a.tell({ type: 'add', n: 2 });
    expect(await a.ask({ type: 'get' })).toBe(2);
    expect(seen).toEqual([
      [0, 'where', { type: 'add', n: 2 }, 'from-0'],
      [0, 'where', { type: 'get' }, 'from-0'],
    ]);
    await system.shutdown();
  });

  it("threaded: each executor imports the setup module and installs its plugins; the main thread's plugin tags what it sends", async () => {
    const seen: unknown[][] = [];
    const system = await createSystem({
      actors,
      executors: 2,
      plugins: [mainTagger(seen)],
      executorSetup: [tagging],
    });
    try {
      const tags: Array<Record<string, unknown>> = [];
      system.events$.subscribe((e) => {
        if (e.type === 'system.test-tag') tags.push(e as unknown as Record<string, unknown>);
      });
      const on1 = await system.spawn(where, undefined, { placement: { executor: 1 } });
      const on2 = await system.spawn(where, undefined, { placement: { executor: 2 } });
      const threads = [await on1.ask({ type: 'where' }), await on2.ask({ type: 'where' })];
      expect(threads).not.toContain(threadId);
      await expect.poll(() => tags.length, { timeout: 10_000 }).toBe(2);
      tags.sort((x, y) => (x.node as number) - (y.node as number)); // two threads: arrival order is theirs
      expect(tags.map((t) => [t.node, t.def, t.data])).toEqual([
        [1, 'where', 'from-0'],
        [2, 'where', 'from-0'],
      ]);
      expect(tags.map((t) => t.thread)).toEqual(threads); // the plugin ran on the executor's thread
      expect(seen).toEqual([]); // nothing was handled on the main thread
    } finally {
      await system.shutdown();
    }
  });

  it('bad values: ConfigErrors naming the option; a setup module with bad plugins fails the start', async () => {
    const bad = (o: object) =>
      createSystem(o).then(
        () => 'created',
        (e: unknown) => e,
      );
    await expect(bad({ plugins: {} })).resolves.toMatchObject({
      code: 'config',
      context: { path: 'options.plugins' },
    });
    await expect(bad({ plugins: [{ name: 'x' }] })).resolves.toMatchObject({
      context: { path: 'options.plugins[0]' },
    });
    await expect(bad({ executorSetup: 'relative/setup.js' })).resolves.toMatchObject({
      context: { path: 'options.executorSetup' },
    });
    await expect(bad({ executorSetup: [tagging, 42] })).resolves.toMatchObject({
      context: { path: 'options.executorSetup[1]' },
    });
    const e = await bad({
      actors,
      executors: 1,
      executorSetup: new URL('./fixtures/setup/bad-plugins.ts', import.meta.url),
    });
    expect(isConfigError(e)).toBe(true);
    expect((e as Error).message).toMatch(/bad-plugins\.ts: plugins\[0\]: expected a plugin/);
  });
});
