import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isConfigError, loadSupervisorSpec, supervisor } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { makeSystem, settle, type WorkerMsg, workerOf } from './supervision-helpers.ts';

describe('dynamic children (OTP start_child family)', () => {
  it('start, terminate, restart, delete and list', async () => {
    const { system } = await makeSystem();
    const tree = await system.start(supervisor({ id: 'app', intensity: { maxRestarts: 5, withinMs: 1000 } }));
    const w = await tree.startChild<WorkerMsg>({ id: 'w', actor: 'worker', props: { tag: 'dyn' } });
    w.tell({ type: 'work' });
    expect(await w.ask({ type: 'get' })).toEqual({ n: 1, tag: 'dyn' });
    await expect(tree.startChild({ id: 'w', actor: 'worker' })).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'startChild(spec).id',
    );
    await expect(
      tree.startChild({ id: 'z', actor: 'worker', restart: 'sometimes' as never }),
    ).rejects.toSatisfy((e) => isConfigError(e) && e.context.path === 'startChild(spec).restart');
    await expect(tree.deleteChild('w')).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'deleteChild(id)',
    );
    await tree.terminateChild('w');
    expect(await tree.children()).toMatchObject([{ id: 'w', status: 'stopped', restarts: 0 }]);
    await settle();
    expect(await tree.children()).toMatchObject([{ id: 'w', status: 'stopped' }]); // not restarted
    const w2 = await tree.restartChild<WorkerMsg>('w');
    expect(w2).not.toBe(w);
    expect(await w2.ask({ type: 'get' })).toEqual({ n: 0, tag: 'dyn' });
    await tree.terminateChild('w');
    await tree.deleteChild('w');
    expect(await tree.children()).toEqual([]);
    await expect(tree.terminateChild('nope')).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'terminateChild(id)',
    );
    await system.shutdown();
  });

  it('dynamic sub-supervisors start their own children', async () => {
    const { system } = await makeSystem();
    const tree = await system.start(supervisor({ id: 'app' }));
    await tree.startChild({ id: 'pool', supervisor: { children: [{ id: 'p1', actor: 'worker' }] } });
    await settle();
    const pool = await tree.supervisor('pool');
    const p1 = await workerOf(pool, 'p1');
    expect(await p1.ask({ type: 'get' })).toMatchObject({ n: 0 });
    await system.shutdown();
  });
});

describe('supervision configs as JSON files', () => {
  it('loads, validates and starts a tree from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'troupe-sup-'));
    const file = join(dir, 'tree.json');
    await writeFile(
      file,
      JSON.stringify({
        id: 'app',
        strategy: 'rest-for-one',
        intensity: { maxRestarts: 5, withinMs: 10000 },
        backoff: { minMs: 10, maxMs: 5000, factor: 2, jitter: 0.2, resetAfterMs: 30000 },
        decider: { TypeError: 'resume', default: 'restart' },
        children: [
          { id: 'db', actor: 'worker', props: { tag: 'db' }, restart: 'permanent', shutdownMs: 2000 },
          { id: 'jobs', supervisor: { strategy: 'one-for-one', children: [] }, shutdownMs: 'infinity' },
        ],
      }),
    );
    const spec = await loadSupervisorSpec(file);
    expect(spec).toMatchObject({ id: 'app', strategy: 'rest-for-one' });
    expect(spec.children.map((c) => [c.id, c.shutdownMs])).toEqual([
      ['db', 2000],
      ['jobs', Number.POSITIVE_INFINITY],
    ]);
    const { system } = await makeSystem();
    const tree = await system.start(spec);
    expect((await tree.children()).map((c) => [c.id, c.kind, c.status])).toEqual([
      ['db', 'worker', 'running'],
      ['jobs', 'supervisor', 'running'],
    ]);
    await system.shutdown();

    const bad = join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({ id: 'x', children: [{}, {}, { id: 'c', actor: 'w', restart: 'always' }] }),
    );
    await expect(loadSupervisorSpec(bad)).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'children[0]',
    );
    await writeFile(
      bad,
      JSON.stringify({
        id: 'x',
        children: [
          { id: 'a', actor: 'w' },
          { id: 'b', actor: 'w' },
          { id: 'c', actor: 'w', restart: 'always' },
        ],
      }),
    );
    await expect(loadSupervisorSpec(bad)).rejects.toThrow(
      'children[2].restart: expected "permanent" | "transient" | "temporary", got "always"',
    );
    await writeFile(bad, '{ not json');
    await expect(loadSupervisorSpec(bad)).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'loadSupervisorSpec(file)',
    );
  });

  it('applies OTP defaults', () => {
    const spec = supervisor({
      id: 'app',
      children: [
        { id: 'w', actor: 'worker' },
        { id: 's', supervisor: {} },
      ],
    });
    expect(spec).toMatchObject({ strategy: 'one-for-one', intensity: { maxRestarts: 1, withinMs: 5000 } });
    expect(spec.children.map((c) => [c.restart, c.shutdownMs])).toEqual([
      ['permanent', 5000],
      ['permanent', Number.POSITIVE_INFINITY],
    ]);
  });
});

describe('shutdownMs', () => {
  it('kills a child whose onStop overruns its shutdownMs', async () => {
    const { system, clock, events } = await makeSystem();
    const { defineActor } = await import('@troupe/runtime');
    const Slow = defineActor('slow', {
      init: () => ({}),
      receive: (s, _m: unknown) => s,
      onStop: () => new Promise<void>(() => {}), // never finishes
    });
    const tree = await system.start(
      supervisor({ id: 'app', children: [{ id: 's', actor: Slow, shutdownMs: 100 }] }),
    );
    await tree.child('s');
    const stopped = system.stop(tree.ref);
    await settle();
    clock.advance(100);
    await stopped;
    expect(events.some((e) => e.type === 'supervisor.child-killed')).toBe(true);
    await system.shutdown();
  });
});
