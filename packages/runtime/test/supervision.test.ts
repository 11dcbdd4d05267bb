import { type ActorRef, defineActor, isEscalatedError, supervisor } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import {
  countOf,
  makeSystem,
  ofType,
  settle,
  three,
  Worker,
  type WorkerMsg,
  workerOf,
} from './supervision-helpers.ts';

async function counts(refs: ActorRef<WorkerMsg>[]): Promise<number[]> {
  return Promise.all(refs.map(countOf));
}

describe('supervision: strategies', () => {
  it('starts children in order and restarts the failed one in place (one-for-one)', async () => {
    const { system, events } = await makeSystem();
    const tree = await system.start(three('one-for-one'));
    const rows = await tree.children();
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      ['a', 'running'],
      ['b', 'running'],
      ['c', 'running'],
    ]);
    expect(ofType(events, 'supervisor.child-started').map((e) => e.child)).toEqual(['a', 'b', 'c']);
    const refs = rows.map((r) => r.ref as ActorRef<WorkerMsg>);
    for (const r of refs) r.tell({ type: 'work' });
    refs[1]?.tell({ type: 'boom' });
    refs[1]?.tell({ type: 'work' });
    await settle();
    // b restarted from props (n reset), then processed the message queued behind the failure
    expect(await counts(refs)).toEqual([1, 1, 1]);
    const after = await tree.children();
    expect(after.map((r) => r.ref)).toEqual(refs); // same refs: restarted in place
    expect(after.map((r) => r.restarts)).toEqual([0, 1, 0]);
    const s = system.stats();
    expect(s.deadLettered.byReason.failed).toBe(1);
    await system.shutdown();
  });

  it('one-for-all restarts every child', async () => {
    const { system, events } = await makeSystem();
    const tree = await system.start(three('one-for-all'));
    const refs = (await tree.children()).map((r) => r.ref as ActorRef<WorkerMsg>);
    for (const r of refs) r.tell({ type: 'work' });
    refs[1]?.tell({ type: 'boom' });
    await settle();
    expect(await counts(refs)).toEqual([0, 0, 0]);
    expect(ofType(events, 'supervisor.child-restarted').map((e) => e.child)).toEqual(['a', 'b', 'c']);
    await system.shutdown();
  });

  it('rest-for-one restarts the failed child and those started after it', async () => {
    const { system, events } = await makeSystem();
    const tree = await system.start(three('rest-for-one'));
    const refs = (await tree.children()).map((r) => r.ref as ActorRef<WorkerMsg>);
    for (const r of refs) r.tell({ type: 'work' });
    refs[1]?.tell({ type: 'boom' });
    await settle();
    expect(await counts(refs)).toEqual([1, 0, 0]);
    expect(ofType(events, 'supervisor.child-restarted').map((e) => e.child)).toEqual(['b', 'c']);
    await system.shutdown();
  });

  it('stops children in reverse start order', async () => {
    const { system, events } = await makeSystem();
    const tree = await system.start(three('one-for-one'));
    const ids = new Map((await tree.children()).map((r) => [r.ref?.id, r.id]));
    await system.stop(tree.ref);
    const stopped = ofType(events, 'actor.stopped').map((e) => ids.get(e.actor.id) ?? 'sup');
    expect(stopped).toEqual(['c', 'b', 'a', 'sup']);
    await system.shutdown();
  });
});

describe('supervision: restart types', () => {
  const spec = (restart: 'permanent' | 'transient' | 'temporary') =>
    supervisor({
      id: 'app',
      intensity: { maxRestarts: 5, withinMs: 1000 },
      children: [{ id: 'w', actor: Worker, restart }],
    });

  it('permanent: restarted after a failure and after a normal stop', async () => {
    const { system } = await makeSystem();
    const tree = await system.start(spec('permanent'));
    const w = await workerOf(tree, 'w');
    w.tell({ type: 'boom' });
    await settle();
    expect((await tree.children())[0]).toMatchObject({ status: 'running', restarts: 1, ref: w });
    await system.stop(w);
    await settle();
    const row = (await tree.children())[0];
    expect(row).toMatchObject({ status: 'running', restarts: 2 });
    expect(row?.ref).not.toBe(w); // a stopped incarnation cannot come back: a fresh one
    await system.shutdown();
  });

  it('transient: restarted after a failure, not after a normal stop', async () => {
    const { system } = await makeSystem();
    const tree = await system.start(spec('transient'));
    const w = await workerOf(tree, 'w');
    w.tell({ type: 'boom' });
    await settle();
    expect((await tree.children())[0]).toMatchObject({ status: 'running', restarts: 1 });
    await system.stop(w);
    await settle();
    expect((await tree.children())[0]).toMatchObject({ status: 'stopped', restarts: 1 });
    await system.shutdown();
  });

  it('temporary: never restarted, removed once it fails', async () => {
    const { system } = await makeSystem();
    const tree = await system.start(spec('temporary'));
    const w = await workerOf(tree, 'w');
    w.tell({ type: 'boom' });
    await settle();
    expect(await tree.children()).toEqual([]);
    await system.shutdown();
  });
});

describe('supervision: panic recovery', () => {
  const failures: Array<[string, WorkerMsg]> = [
    ['a synchronous throw', { type: 'boom' }],
    ['a rejected promise', { type: 'reject' }],
    ['a thrown string', { type: 'boom', error: 'just a string' }],
    ['a thrown undefined-like value', { type: 'boom', error: 0 }],
  ];
  for (const [what, msg] of failures) {
    it(`restarts after ${what}, dead-letters the message as failed and keeps accounting`, async () => {
      const { system, events } = await makeSystem();
      const tree = await system.start(supervisor({ id: 'app', children: [{ id: 'w', actor: Worker }] }));
      const w = await workerOf(tree, 'w');
      const asked = w.ask(msg).catch((e: unknown) => e);
      w.tell({ type: 'work' });
      await settle();
      expect(await asked).toMatchObject({ code: 'actor-failed' });
      expect(await countOf(w)).toBe(1);
      const failed = ofType(events, 'supervisor.child-failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({
        child: 'w',
        context: 'receive',
        offender: { id: 'w', restart: 'permanent' },
      });
      expect(failed[0]?.error).toEqual(
        msg.type === 'reject'
          ? new Error('rejected')
          : ((msg as { error?: unknown }).error ?? new Error('boom')),
      );
      const s = system.stats();
      expect(s.sent).toBe(s.processed + s.deadLettered.total);
      expect(s.deadLettered.byReason).toEqual({ failed: 1 });
      await system.shutdown();
    });
  }

  it('recovers from failures in onStart and onStop', async () => {
    let starts = 0;
    const Touchy = defineActor('touchy', {
      init: () => ({}),
      onStart() {
        starts++;
        if (starts === 1) throw new Error('onStart failed');
      },
      onStop: () => Promise.reject(new Error('onStop failed')),
      receive: (s, _m: unknown) => s,
    });
    const { system, events } = await makeSystem();
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 5, withinMs: 5000 },
        children: [{ id: 't', actor: Touchy }],
      }),
    );
    await settle();
    expect(starts).toBe(2);
    expect(ofType(events, 'supervisor.child-failed')[0]).toMatchObject({ context: 'start' });
    const t = await tree.child('t');
    await system.stop(t as ActorRef);
    await settle();
    expect(ofType(events, 'actor.failed').map((e) => e.phase)).toEqual(['start', 'stop']);
    await system.shutdown();
  });
});

describe('supervision: directives', () => {
  it('resume keeps state, stop terminates, escalate fails upward', async () => {
    const { system, events } = await makeSystem();
    const tree = await system.start(
      supervisor({
        id: 'app',
        decider: (e) => (e === 'resume' ? 'resume' : e === 'stop' ? 'stop' : 'escalate'),
        children: [{ id: 'w', actor: Worker }],
      }),
    );
    const w = await workerOf(tree, 'w');
    w.tell({ type: 'work' });
    w.tell({ type: 'boom', error: 'resume' });
    w.tell({ type: 'work' });
    await settle();
    expect(await countOf(w)).toBe(2);
    w.tell({ type: 'boom', error: 'stop' });
    await settle();
    expect((await tree.children())[0]).toMatchObject({ status: 'stopped' });
    await system.shutdown();
    expect(ofType(events, 'supervisor.child-resumed')).toHaveLength(1);
  });

  it('a decider table (JSON) picks directives by error name', async () => {
    const { system } = await makeSystem();
    const tree = await system.start(
      supervisor({
        id: 'app',
        decider: { TypeError: 'resume', default: 'restart' },
        children: [{ id: 'w', actor: Worker }],
      }),
    );
    const w = await workerOf(tree, 'w');
    w.tell({ type: 'work' });
    w.tell({ type: 'boom', error: new TypeError('t') });
    await settle();
    expect(await countOf(w)).toBe(1);
    w.tell({ type: 'boom', error: new RangeError('r') });
    await settle();
    expect(await countOf(w)).toBe(0);
    await system.shutdown();
  });

  it('escalation goes to the parent supervisor, which restarts the sub-tree', async () => {
    const { system, events } = await makeSystem();
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 3, withinMs: 1000 },
        children: [
          { id: 'x', actor: Worker },
          { id: 'jobs', supervisor: { decider: () => 'escalate', children: [{ id: 'j', actor: Worker }] } },
        ],
      }),
    );
    const jobs = await tree.supervisor('jobs');
    const j = await workerOf(jobs, 'j');
    j.tell({ type: 'boom' });
    await settle();
    expect(ofType(events, 'supervisor.escalated')).toMatchObject([
      { supervisorId: 'jobs', child: 'j', reason: 'directive' },
    ]);
    const rows = await tree.children();
    expect(rows[1]).toMatchObject({ id: 'jobs', status: 'running', restarts: 1 });
    const jobs2 = await tree.supervisor('jobs');
    const j2 = await jobs2.child('j');
    expect(j2).toBeDefined();
    expect(j2).not.toBe(j);
    await system.shutdown();
  });
});

describe('supervision: strategy edge cases', () => {
  it('one-for-all drops a temporary sibling instead of restarting it', async () => {
    const { system } = await makeSystem();
    const tree = await system.start(
      supervisor({
        id: 'app',
        strategy: 'one-for-all',
        intensity: { maxRestarts: 5, withinMs: 1000 },
        children: [
          { id: 'a', actor: Worker },
          { id: 't', actor: Worker, restart: 'temporary' },
          { id: 'c', actor: Worker },
        ],
      }),
    );
    const c = await workerOf(tree, 'c');
    c.tell({ type: 'boom' });
    await settle();
    expect((await tree.children()).map((r) => [r.id, r.status, r.restarts])).toEqual([
      ['a', 'running', 1],
      ['c', 'running', 1],
    ]);
    await system.shutdown();
  });

  it('rest-for-one: a failure of the last child restarts only that child', async () => {
    const { system, events } = await makeSystem();
    const tree = await system.start(three('rest-for-one'));
    const c = await workerOf(tree, 'c');
    c.tell({ type: 'boom' });
    await settle();
    expect(ofType(events, 'supervisor.child-restarted').map((e) => e.child)).toEqual(['c']);
    await system.shutdown();
  });

  it('the decider sees the error and the child', async () => {
    const { system } = await makeSystem();
    const seen: unknown[] = [];
    const tree = await system.start(
      supervisor({
        id: 'app',
        intensity: { maxRestarts: 5, withinMs: 1000 },
        decider: (error, child) => {
          seen.push([error, child.id, child.kind, child.restart, child.restarts]);
          return 'restart';
        },
        children: [{ id: 'w', actor: Worker, restart: 'transient' }],
      }),
    );
    const w = await workerOf(tree, 'w');
    w.tell({ type: 'boom', error: 'e1' });
    await settle();
    w.tell({ type: 'boom', error: 'e2' });
    await settle();
    expect(seen).toEqual([
      ['e1', 'w', 'worker', 'transient', 0],
      ['e2', 'w', 'worker', 'transient', 1],
    ]);
    await system.shutdown();
  });

  it('a decider that throws or answers nonsense escalates', async () => {
    const { system } = await makeSystem();
    const tree = await system.start(
      supervisor({ id: 'app', decider: () => 'retry' as never, children: [{ id: 'w', actor: Worker }] }),
    );
    const w = await workerOf(tree, 'w');
    w.tell({ type: 'boom' });
    const failure = await tree.whenFailed();
    expect(isEscalatedError(failure.error) && failure.error.context.reason).toBe('directive');
  });
});
