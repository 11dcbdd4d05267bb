import { threadId } from 'node:worker_threads';
import {
  type ActorRef,
  type ActorSystem,
  createSystem,
  isActorStoppedError,
  isConfigError,
  isEscalatedError,
  loadSupervisorSpec,
  type SupervisorHandle,
  supervisor,
} from '@troupe/runtime';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import * as A from './fixtures/supervision-actors.ts';

const actors = new URL('./fixtures/supervision-actors.ts', import.meta.url);
let system: ActorSystem | undefined;

afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

const boot = async () => {
  system = await createSystem({ actors, executors: 2, topology: { groups: [[0], [1]] } });
  return system;
};

async function child(h: SupervisorHandle, id: string): Promise<ActorRef<A.FlakyMsg>> {
  const ref = await h.child<A.FlakyMsg>(id);
  if (ref === undefined) throw new Error(`no child ${id}`);
  return ref;
}

const counts = (refs: ActorRef<A.FlakyMsg>[]) => Promise.all(refs.map((r) => r.ask<number>({ type: 'get' })));

const tree = (
  strategy: 'one-for-one' | 'one-for-all' | 'rest-for-one',
  maxRestarts = 10,
  placement: 'spread' | 'local' = 'spread',
) =>
  supervisor({
    id: 'top',
    strategy,
    intensity: { maxRestarts, withinMs: 60_000 },
    children: ['a', 'b', 'c'].map((id) => ({ id, actor: 'flaky', placement })),
  });

async function quiescent(s: ActorSystem) {
  await s.syncStats();
  const st = s.stats();
  expect(st.inFlight).toBe(0);
  expect(st.sent).toBe(st.processed + st.deadLettered.total);
  return st;
}

describe('system.start with executors: the tree runs on an executor', () => {
  it('places the supervisor on an executor and spreads its workers over the executors, not the main thread', async () => {
    const s = await boot();
    const h = await s.start(tree('one-for-one'));
    const execThreads = s.metrics().executors.map((e) => e.threadId);
    const refs = await Promise.all(['a', 'b', 'c'].map((id) => child(h, id)));
    const tids = await Promise.all(refs.map((r) => r.ask<number>({ type: 'where' })));
    // The workers are placed by 'spread' (the default of a child spec): both executors hold some.
    expect(new Set(tids)).toEqual(new Set(execThreads));
    expect(tids).not.toContain(threadId);
    // The top supervisor was born on an executor (ids embed the birth node).
    expect(s.metrics().executors.map((e) => e.id)).toContain(h.ref.id % 1024);
    expect(s.lookup('nobody')).toBeUndefined();
  });

  it("spreads trees over the executors ('spread' placement)", async () => {
    const s = await boot();
    // placement 'local': each tree's worker stays with its supervisor.
    const w = { id: 'w', actor: A.flaky, placement: 'local' } as const;
    const h1 = await s.start({ id: 't1', children: [w] });
    const h2 = await s.start({ id: 't2', children: [w] });
    const w1 = await child(h1, 'w');
    const w2 = await child(h2, 'w');
    const [t1, t2] = await Promise.all([
      w1.ask<number>({ type: 'where' }),
      w2.ask<number>({ type: 'where' }),
    ]);
    expect(t1).not.toBe(t2);
    expect(new Set([h1.ref.id % 1024, h2.ref.id % 1024])).toEqual(new Set([1, 2]));
  });

  it('registers the top supervisor under options.name, visible from the main thread', async () => {
    const s = await boot();
    const h = await s.start(tree('one-for-one'), { name: 'top-sup' });
    await s.syncStats();
    expect(s.lookup('top-sup')?.id).toBe(h.ref.id);
  });
});

describe('restarts per strategy on an executor', () => {
  it('one-for-one: only the flaky worker restarts (sync throw and rejected promise)', async () => {
    const s = await boot();
    const h = await s.start(tree('one-for-one'));
    const refs = await Promise.all(['a', 'b', 'c'].map((id) => child(h, id)));
    for (const r of refs) for (let i = 0; i < 3; i++) r.tell({ type: 'inc' });
    refs[1]!.tell({ type: 'boom' });
    expect(await counts(refs)).toEqual([3, 0, 3]);
    refs[2]!.tell({ type: 'inc' });
    refs[2]!.tell({ type: 'reject' });
    expect(await counts(refs)).toEqual([3, 0, 0]);
    const rows = await h.children();
    expect(rows.map((r) => r.restarts)).toEqual([0, 1, 1]);
    expect(rows.every((r) => r.alive && r.status === 'running')).toBe(true);
    const st = await quiescent(s);
    expect(st.deadLettered.byReason.failed).toBe(2);
  });

  it('one-for-all: every worker restarts', async () => {
    const s = await boot();
    const h = await s.start(tree('one-for-all'));
    const refs = await Promise.all(['a', 'b', 'c'].map((id) => child(h, id)));
    for (const r of refs) r.tell({ type: 'inc' });
    expect(await counts(refs)).toEqual([1, 1, 1]);
    refs[0]!.tell({ type: 'boom' });
    expect(await refs[0]!.ask<number>({ type: 'get' })).toBe(0);
    expect(await counts(refs)).toEqual([0, 0, 0]);
    expect((await h.children()).map((r) => r.restarts)).toEqual([1, 1, 1]);
    await quiescent(s);
  });

  it('rest-for-one: the failed worker and those started after it restart', async () => {
    const s = await boot();
    const h = await s.start(tree('rest-for-one'));
    const refs = await Promise.all(['a', 'b', 'c'].map((id) => child(h, id)));
    for (const r of refs) r.tell({ type: 'inc' });
    expect(await counts(refs)).toEqual([1, 1, 1]);
    refs[1]!.tell({ type: 'boom' });
    expect(await refs[1]!.ask<number>({ type: 'get' })).toBe(0);
    expect(await counts(refs)).toEqual([1, 0, 0]);
    await quiescent(s);
  });

  it('dynamic children: startChild / terminateChild / deleteChild from the main thread', async () => {
    const s = await boot();
    const h = await s.start(tree('one-for-one'));
    const d = await h.startChild<A.FlakyMsg>({ id: 'd', actor: A.flaky }); // a definition crosses by name
    const execThreads = s.metrics().executors.map((e) => e.threadId);
    expect(execThreads).toContain(await d.ask<number>({ type: 'where' }));
    await h.terminateChild('d');
    await h.deleteChild('d');
    expect((await h.children()).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('nested trees on an executor', () => {
  it('a sub-supervisor restarts its worker; its escalation makes the top supervisor restart it', async () => {
    const s = await boot();
    const h = await s.start({
      id: 'top',
      intensity: { maxRestarts: 5, withinMs: 60_000 },
      children: [
        { id: 'w', actor: 'flaky' },
        {
          id: 'sub',
          supervisor: {
            intensity: { maxRestarts: 1, withinMs: 60_000 },
            children: [{ id: 'x', actor: A.flaky }],
          },
        },
      ],
    });
    const sub = await h.supervisor('sub');
    const x = await child(sub, 'x');
    const w = await child(h, 'w');
    const execThreads = s.metrics().executors.map((e) => e.threadId);
    expect(execThreads).toContain(await x.ask<number>({ type: 'where' }));
    expect(execThreads).toContain(await w.ask<number>({ type: 'where' }));
    x.tell({ type: 'inc' });
    x.tell({ type: 'boom' });
    expect(await x.ask<number>({ type: 'get' })).toBe(0);
    const restarted = firstValueFrom(
      s.events$.pipe(
        filter((e) => e.type === 'supervisor.child-restarted' && (e as { child?: string }).child === 'sub'),
      ),
    );
    x.tell({ type: 'boom' }); // second restart within sub's window: sub escalates to top
    await restarted;
    const rows = await h.children();
    expect(rows.find((r) => r.id === 'sub')!.restarts).toBe(1);
    expect(rows.find((r) => r.id === 'sub')!.ref!.id).not.toBe(sub.ref.id);
    const x2 = await child(await h.supervisor('sub'), 'x');
    expect(x2.id).not.toBe(x.id);
    expect(await x2.ask<number>({ type: 'get' })).toBe(0);
    w.tell({ type: 'inc' });
    expect(await w.ask<number>({ type: 'get' })).toBe(1); // one-for-one: the sibling kept its state
    await quiescent(s);
  });
});

describe('escalation to the root guardian on the main thread', () => {
  it("intensity exceeded: the tree stops, the root stops the system, whenFailed reports (onFailure 'stop-system')", async () => {
    const s = await boot();
    const h = await s.start(tree('one-for-one', 2));
    const a = await child(h, 'a');
    for (let i = 0; i < 2; i++) {
      a.tell({ type: 'boom' });
      expect(await a.ask<number>({ type: 'get' })).toBe(0);
    }
    a.tell({ type: 'boom' }); // the third restart in the window escalates
    const failure = await h.whenFailed();
    expect(failure.tree).toBe('top');
    expect(failure.restarts).toBe(0);
    expect(isEscalatedError(failure.error)).toBe(true);
    expect(failure.shutdown).toBeDefined();
    expect(s.metrics().executors.length).toBe(0);
    system = undefined;
  });

  it("onFailure 'restart': the root starts a fresh tree on an executor, within its own window", async () => {
    const s = await boot();
    const h = await s.start(tree('one-for-one', 0), {
      onFailure: 'restart',
      intensity: { maxRestarts: 1, withinMs: 60_000 },
    });
    const first = h.ref;
    const restarted = firstValueFrom(s.events$.pipe(filter((e) => e.type === 'supervisor.tree-restarted')));
    const a = await child(h, 'a');
    a.tell({ type: 'inc' });
    a.tell({ type: 'boom' }); // maxRestarts 0: the first failure escalates
    const ev = (await restarted) as unknown as { restarts: number; supervisor: { id: number } };
    expect(ev.restarts).toBe(1);
    // The handle follows the new incarnation.
    expect(h.ref.id).not.toBe(first.id);
    expect(ev.supervisor.id).toBe(h.ref.id);
    const fresh = await child(h, 'a');
    expect(await fresh.ask<number>({ type: 'get' })).toBe(0);
    expect(s.metrics().executors.map((e) => e.threadId)).toContain(
      await fresh.ask<number>({ type: 'where' }),
    );
    // A second escalation within the root's window: the root gives up and stops the system.
    fresh.tell({ type: 'boom' });
    const failure = await h.whenFailed();
    expect(failure.restarts).toBe(1);
    system = undefined;
  });

  it('a worker failing at init fails system.start', async () => {
    const s = await boot();
    await expect(
      s.start({ id: 'bad', children: [{ id: 'x', actor: 'flaky', props: { failInit: true } }] }),
    ).rejects.toThrow();
    await quiescent(s);
  });
});

describe('specs that cannot cross threads', () => {
  it('a function decider is a ConfigError naming its path; a decider table works', async () => {
    const s = await boot();
    await expect(
      s.start({ id: 'f', decider: () => 'restart', children: [{ id: 'w', actor: 'flaky' }] }),
    ).rejects.toSatisfy((e: unknown) => isConfigError(e) && /spec\.decider/.test((e as Error).message));
    const h = await s.start({
      id: 't',
      decider: { Error: 'resume' },
      children: [{ id: 'w', actor: 'flaky' }],
    });
    const w = await child(h, 'w');
    w.tell({ type: 'inc' });
    w.tell({ type: 'boom' });
    expect(await w.ask<number>({ type: 'get' })).toBe(1); // resumed: state kept
  });

  it('a spec loaded from JSON (loadSupervisorSpec) runs on an executor', async () => {
    const s = await boot();
    const spec = await loadSupervisorSpec(new URL('./fixtures/supervision-tree.json', import.meta.url));
    const h = await s.start(spec);
    const a = await child(h, 'a');
    const b = await child(await h.supervisor('sub'), 'b');
    const execThreads = s.metrics().executors.map((e) => e.threadId);
    expect(execThreads).toContain(await b.ask<number>({ type: 'where' }));
    expect(execThreads).toContain(await a.ask<number>({ type: 'where' }));
    a.tell({ type: 'inc' });
    a.tell({ type: 'boom' });
    expect(await a.ask<number>({ type: 'get' })).toBe(0);
    // one-for-all took sub along (after a reported back, which may reach the supervisor after a's answer)
    await expect.poll(async () => (await h.children()).map((r) => r.restarts)).toEqual([1, 1]);
  });

  it('an unknown actor name is a ConfigError naming the child', async () => {
    const s = await boot();
    await expect(s.start({ id: 't', children: [{ id: 'w', actor: 'nope' }] })).rejects.toSatisfy(
      (e: unknown) => isConfigError(e) && /children\[0\]\.actor/.test((e as Error).message),
    );
  });
});

describe('the executor under a tree is lost', () => {
  it("the root restarts the tree on a live executor (onFailure 'restart')", async () => {
    const s = await boot();
    const h = await s.start(tree('one-for-one'), { onFailure: 'restart' });
    const first = h.ref;
    const lostNode = first.id % 1024;
    const restarted = firstValueFrom(s.events$.pipe(filter((e) => e.type === 'supervisor.tree-restarted')));
    const failedEv = firstValueFrom(s.events$.pipe(filter((e) => e.type === 'supervisor.tree-failed')));
    (await child(h, 'a')).tell({ type: 'exit' });
    const f = (await failedEv) as unknown as { error: { code?: string }; action: string };
    expect(f.action).toBe('restart');
    expect(f.error.code).toBe('actor-stopped');
    await restarted;
    expect(h.ref.id).not.toBe(first.id);
    const a = await child(h, 'a');
    const tid = await a.ask<number>({ type: 'where' });
    const alive = s.metrics().executors.filter((e) => e.id !== lostNode);
    expect(alive.map((e) => e.threadId)).toContain(tid);
    expect(await a.ask<number>({ type: 'get' })).toBe(0);
  });
});

describe('tree members across executors', () => {
  const where = (r: ActorRef<A.FlakyMsg>) => r.ask<number>({ type: 'where' });
  const threadOf = (s: ActorSystem, node: number) =>
    s.metrics().executors.find((e) => e.id === node)!.threadId;

  it('system.migrate refuses a top-level supervisor with a ConfigError; its workers move and stay supervised', async () => {
    const s = await boot();
    const h = await s.start(tree('one-for-one'));
    const home = h.ref.id % 1024;
    const other = home === 1 ? 2 : 1;
    await expect(s.migrate(h.ref, { executor: other })).rejects.toSatisfy(
      (e: unknown) => isConfigError(e) && /a supervisor/.test((e as Error).message),
    );
    const a = await child(h, 'a');
    await s.migrate(a, { executor: other });
    expect(await where(a)).toBe(threadOf(s, other));
    const restarted = firstValueFrom(s.events$.pipe(filter((e) => e.type === 'supervisor.child-restarted')));
    a.tell({ type: 'inc' });
    a.tell({ type: 'boom' });
    a.tell({ type: 'inc' });
    // The supervisor on the other thread decided; the worker restarted in place there (same ref).
    expect(await a.ask<number>({ type: 'get' })).toBe(1);
    expect(await restarted).toMatchObject({ child: 'a', actor: { id: a.id } });
    expect(await where(a)).toBe(threadOf(s, other));
    const rows = await h.children();
    expect(rows.find((r) => r.id === 'a')).toMatchObject({ alive: true, restarts: 1 });
    expect(rows.find((r) => r.id === 'a')!.ref?.id).toBe(a.id);
    await quiescent(s);
  });

  it('one-for-all suspends and restarts a sibling on another executor', async () => {
    const s = await boot();
    const h = await s.start(tree('one-for-all'));
    const other = h.ref.id % 1024 === 1 ? 2 : 1;
    const [a, b] = [await child(h, 'a'), await child(h, 'b')];
    await s.migrate(a, { executor: other });
    for (let i = 0; i < 3; i++) a.tell({ type: 'inc' });
    expect(await a.ask<number>({ type: 'get' })).toBe(3);
    b.tell({ type: 'boom' });
    // a's restart resets its state: the directive crossed to its thread.
    await expect.poll(() => a.ask<number>({ type: 'get' })).toBe(0);
    // b and c restart after a has reported back (start order): wait for the last one.
    await expect.poll(async () => (await h.children()).map((r) => r.restarts)).toEqual([1, 1, 1]);
    const rows = await h.children();
    expect(rows.map((r) => [r.id, r.alive, r.restarts])).toEqual([
      ['a', true, 1],
      ['b', true, 1],
      ['c', true, 1],
    ]);
    await quiescent(s);
  });

  it("stopping the tree stops a worker on another executor, once; the supervisor's stop waits for it", async () => {
    const s = await boot();
    const h = await s.start(tree('rest-for-one'));
    const other = h.ref.id % 1024 === 1 ? 2 : 1;
    const a = await child(h, 'a');
    await s.migrate(a, { executor: other });
    const stopped: number[] = [];
    s.events$.pipe(filter((e) => e.type === 'actor.stopped')).subscribe((e) => {
      stopped.push((e as unknown as { actor: { id: number } }).actor.id);
    });
    await s.syncStats(); // a round trip behind the subscription: executors forward events from here on
    await s.stop(h.ref);
    // The supervisor's stop completes only after a's exit reached it from the other thread:
    // a is gone by now (an ask is refused, not answered).
    await expect(a.ask({ type: 'get' }, { timeoutMs: 5000 })).rejects.toSatisfy(isActorStoppedError);
    // Each of the four stopped once (events from both threads).
    await expect.poll(() => stopped.length).toBe(4);
    expect(new Set(stopped).size).toBe(4);
    expect(stopped).toContain(h.ref.id);
    expect(stopped).toContain(a.id);
    const st = await quiescent(s);
    expect(st.actors).toBe(0);
  });

  it("a worker's executor crashes: its supervisor on the other executor starts a new incarnation", async () => {
    const s = await boot();
    // The tree on one executor but for a: only a is lost with the other one.
    const h = await s.start(tree('one-for-one', 10, 'local'));
    const home = h.ref.id % 1024;
    const other = home === 1 ? 2 : 1;
    const a = await child(h, 'a');
    await s.migrate(a, { executor: other });
    const replaced = firstValueFrom(s.events$.pipe(filter((e) => e.type === 'executor.replaced')));
    a.tell({ type: 'exit' });
    await replaced;
    // A new incarnation, started by the supervisor in its own thread.
    await expect.poll(async () => (await h.child('a'))?.id !== a.id).toBe(true);
    const a2 = await child(h, 'a');
    expect(await where(a2)).toBe(threadOf(s, home));
    a2.tell({ type: 'inc' });
    expect(await a2.ask<number>({ type: 'get' })).toBe(1);
  });

  it('graceful shutdown stops the tree on its executor and accounts for every message', async () => {
    const s = await boot();
    const h = await s.start(tree('one-for-all'));
    const whenFailed = h.whenFailed().then(() => 'failed');
    const refs = await Promise.all(['a', 'b', 'c'].map((id) => child(h, id)));
    for (const r of refs) for (let i = 0; i < 5; i++) r.tell({ type: 'inc' });
    refs[0]!.tell({ type: 'boom' });
    await counts(refs);
    const report = await s.shutdown();
    expect(report.outcome).toBe('clean');
    expect(report.forced).toEqual([]);
    expect(report.stopped).toBe(4); // the supervisor and its three workers, each with its onStop
    const st = report.stats;
    expect(st.inFlight).toBe(0);
    expect(st.sent).toBe(st.processed + st.deadLettered.total);
    expect(st.deadLettered.byReason.failed).toBe(1);
    expect(s.metrics().executors).toEqual([]);
    // A stopped tree is no failed tree.
    expect(await Promise.race([whenFailed, Promise.resolve('not failed')])).toBe('not failed');
    system = undefined;
  });
});

describe('ctx.spawn placement and supervision', () => {
  it('a child its { supervision } parent supervises moves to the placed executor and stays supervised (runtime executors/links.ts)', async () => {
    const s = await boot();
    const restarted = firstValueFrom(s.events$.pipe(filter((e) => e.type === 'supervisor.child-restarted')));
    const p = await s.spawn(A.supParent, undefined, { placement: { executor: 1 } });
    const c = await p.ask<ActorRef<A.FlakyMsg>>({ type: 'spawn', placement: { executor: 2 } });
    expect(await c.ask<number>({ type: 'where' })).not.toBe(await p.ask<number>({ type: 'where' }));
    expect(await p.ask<number>({ type: 'kids' })).toBe(1);
    // Still supervised: the failure crosses to the parent, whose policy restarts the child in place.
    c.tell({ type: 'inc' });
    c.tell({ type: 'boom' });
    expect(await c.ask<number>({ type: 'get' })).toBe(0);
    expect(await restarted).toMatchObject({ child: String(c.id) });
    await quiescent(s);
  });
});
