import {
  type ActorRef,
  defineActor,
  isConfigError,
  isEscalatedError,
  supervisor,
  Terminated,
} from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { countOf, makeSystem, ofType, settle, three, Worker, workerOf } from './supervision-helpers.ts';

describe('supervision: death watch', () => {
  it('watchers receive Terminated with the reason', async () => {
    const seen: Terminated[] = [];
    const Watcher = defineActor('watcher', {
      init: () => ({}),
      receive(s, m: { type: 'watch'; ref: ActorRef } | Terminated, ctx) {
        if (m instanceof Terminated) seen.push(m);
        else ctx.watch(m.ref);
        return s;
      },
    });
    const { system } = await makeSystem();
    const tree = await system.start(
      supervisor({ id: 'app', decider: () => 'stop', children: [{ id: 'w', actor: Worker }] }),
    );
    const w = await workerOf(tree, 'w');
    const watcher = await system.spawn(Watcher, undefined);
    watcher.tell({ type: 'watch', ref: w });
    await settle();
    w.tell({ type: 'boom' });
    await settle();
    expect(seen.map((t) => [t.ref, t.reason])).toEqual([[w, 'failed']]);
    await system.shutdown();
  });
});

describe('supervision: root reaction', () => {
  it('stop-system: the failed tree shuts the system down with a report', async () => {
    const { system } = await makeSystem();
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 0, withinMs: 1000 },
        children: [{ id: 'w', actor: Worker }],
      }),
    );
    const w = await workerOf(tree, 'w');
    w.tell({ type: 'boom' });
    const failure = await tree.whenFailed();
    expect(failure.tree).toBe('app');
    expect(isEscalatedError(failure.error)).toBe(true);
    expect(failure.shutdown).toMatchObject({ reason: 'supervision-tree-failed' });
  });

  it('restart: the root starts a fresh tree', async () => {
    const { system, events } = await makeSystem();
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 0, withinMs: 1000 },
        children: [{ id: 'w', actor: Worker }],
      }),
      { onFailure: 'restart', intensity: { maxRestarts: 2, withinMs: 1000 } },
    );
    const first = tree.ref;
    const w = await workerOf(tree, 'w');
    w.tell({ type: 'boom' });
    await settle();
    expect(tree.ref).not.toBe(first);
    expect(ofType(events, 'supervisor.tree-restarted')).toHaveLength(1);
    const w2 = await workerOf(tree, 'w');
    w2.tell({ type: 'work' });
    expect(await countOf(w2)).toBe(1);
    await system.shutdown();
  });
});

describe('supervision: specs', () => {
  it('names the bad field', () => {
    const bad = () =>
      supervisor({
        id: 'app',
        children: [
          { id: 'a', actor: Worker },
          { id: 'b', actor: Worker },
          { id: 'c', actor: Worker, restart: 'always' as never },
        ],
      });
    expect(bad).toThrow(
      'children[2].restart: expected "permanent" | "transient" | "temporary", got "always"',
    );
    expect(() => supervisor({ id: 'x', strategy: 'all' as never })).toThrow(/^strategy: expected/);
    expect(() =>
      supervisor({ id: 'x', children: [{ id: 's', supervisor: { intensity: { withinMs: -1 } } }] }),
    ).toThrow(/^children\[0\]\.supervisor\.intensity\.withinMs: expected/);
    expect(() =>
      supervisor({
        id: 'x',
        children: [
          { id: 'a', actor: Worker },
          { id: 'a', actor: Worker },
        ],
      }),
    ).toThrow(/^children\[1\]\.id/);
  });

  it('resolves actors by name and rejects unknown names at start', async () => {
    const { system } = await makeSystem();
    const json = JSON.parse(
      JSON.stringify({
        id: 'app',
        children: [{ id: 'w', actor: 'worker', props: { tag: 'json' }, restart: 'transient' }],
      }),
    );
    const tree = await system.start(json);
    const w = await workerOf(tree, 'w');
    expect(await w.ask({ type: 'get' })).toEqual({ n: 0, tag: 'json' });
    await expect(system.start({ id: 'x', children: [{ id: 'w', actor: 'nope' }] })).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'children[0].actor',
    );
    await system.shutdown();
  });
});

describe('supervision: system shutdown', () => {
  it('stops a tree in reverse start order (also after a respawn) and restarts nothing', async () => {
    const { system, events } = await makeSystem();
    const tree = await system.start(three('one-for-one'));
    const a = await workerOf(tree, 'a');
    await system.stop(a); // permanent: respawned, and its cell rejoins the parent's children last
    await settle();
    const rows = await tree.children();
    expect(rows.map((r) => [r.id, r.status, r.restarts])).toEqual([
      ['a', 'running', 1],
      ['b', 'running', 0],
      ['c', 'running', 0],
    ]);
    const ids = new Map(rows.map((r) => [r.ref?.id, r.id]));
    const before = ofType(events, 'supervisor.child-restarted').length;
    const report = await system.shutdown();
    const order = ofType(events, 'actor.stopped')
      .map((e) => ids.get(e.actor.id))
      .filter((x) => x !== undefined);
    expect(order).toEqual(['c', 'b', 'a']);
    expect(ofType(events, 'supervisor.child-restarted')).toHaveLength(before);
    expect(report.stats.inFlight).toBe(0);
  });
});
