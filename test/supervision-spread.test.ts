/**
 * A supervision tree spans executors (issue 17 item 3): a supervisor's workers are placed by the
 * usual placement — `'spread'` by default — so a supervised pool on 2 executors keeps both threads
 * busy, and stays supervised wherever each worker runs.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { type ActorRef, type ActorSystem, createSystem, supervisor } from '@troupe/runtime';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type CrunchMsg, type FlakyMsg, STOPS, type StopRecord } from './fixtures/supervision-actors.ts';

const actors = new URL('./fixtures/supervision-actors.ts', import.meta.url);
let system: ActorSystem | undefined;

afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

// No stealing, no compaction: where a worker runs is where its supervisor placed it.
const boot = async () => {
  system = await createSystem({
    actors,
    executors: 2,
    topology: { groups: [[0], [1]] },
    stealing: false,
    compaction: false,
  });
  return system;
};

const pool = (n: number, placement?: 'local') =>
  supervisor({
    id: 'pool',
    strategy: 'one-for-one',
    intensity: { maxRestarts: 10, withinMs: 60_000 },
    children: Array.from({ length: n }, (_, i) => ({
      id: `w${i}`,
      actor: 'cruncher',
      ...(placement === undefined ? {} : { placement }),
    })),
  });

describe('a supervised pool spans executors', () => {
  it('4 workers on 2 executors: CPU-bound tasks run on both executor threads', async () => {
    const s = await boot();
    const h = await s.start(pool(4));
    const workers = (await h.children()).map((r) => r.ref as ActorRef<CrunchMsg>);
    expect(workers).toHaveLength(4);
    for (let round = 0; round < 5; round++) for (const w of workers) w.tell({ type: 'crunch', ms: 5 });
    const ran = await Promise.all(workers.map((w) => w.ask<number[]>({ type: 'threads' })));
    expect(ran.flat()).toHaveLength(20);
    const execThreads = s.metrics().executors.map((e) => e.threadId);
    // Every task ran on an executor, and both executors did work.
    expect(new Set(ran.flat())).toEqual(new Set(execThreads));
    // Each worker stays where it was placed (no stealing here): two per executor.
    const perThread = new Map<number, number>();
    for (const r of ran) perThread.set(r[0]!, (perThread.get(r[0]!) ?? 0) + 1);
    expect([...perThread.values()]).toEqual([2, 2]);
  });

  it("placement: 'local' keeps a worker on its supervisor's executor", async () => {
    const s = await boot();
    const h = await s.start(pool(4, 'local'));
    const workers = (await h.children()).map((r) => r.ref as ActorRef<CrunchMsg>);
    for (const w of workers) w.tell({ type: 'crunch', ms: 1 });
    const ran = await Promise.all(workers.map((w) => w.ask<number[]>({ type: 'threads' })));
    expect(new Set(ran.flat()).size).toBe(1);
    const home = h.ref.id % 1024;
    expect(ran[0]![0]).toBe(s.metrics().executors.find((e) => e.id === home)!.threadId);
  });

  it('a spread worker that fails is restarted in place on its own executor', async () => {
    const s = await boot();
    const h = await s.start(
      supervisor({
        id: 'top',
        intensity: { maxRestarts: 10, withinMs: 60_000 },
        children: ['a', 'b'].map((id) => ({ id, actor: 'flaky', shutdownMs: 1234 })),
      }),
    );
    const [a, b] = (await h.children()).map((r) => r.ref as ActorRef<FlakyMsg>);
    const [ta, tb] = await Promise.all([
      a!.ask<number>({ type: 'where' }),
      b!.ask<number>({ type: 'where' }),
    ]);
    expect(ta).not.toBe(tb);
    const restarted = firstValueFrom(s.events$.pipe(filter((e) => e.type === 'supervisor.child-restarted')));
    const far = s.metrics().executors.find((e) => e.id === h.ref.id % 1024)!.threadId === ta ? b! : a!;
    far.tell({ type: 'inc' });
    far.tell({ type: 'boom' });
    far.tell({ type: 'inc' });
    expect(await far.ask<number>({ type: 'get' })).toBe(1);
    expect(await restarted).toMatchObject({ actor: { id: far.id } });
    expect(await far.ask<number>({ type: 'where' })).toBe(far === a ? ta : tb);
  });
});

describe('a tree spanning executors stops children first', () => {
  it.each([
    ['where it started', false],
    ['moved to the other executor', true],
  ])(
    'shutdown, the pool supervisor %s: each supervisor stops its children one by one in reverse start order, on both threads, before its siblings',
    async (_where, move) => {
      const stops: StopRecord[] = [];
      const ch = new BroadcastChannel(STOPS);
      ch.onmessage = (e) => stops.push((e as { data: StopRecord }).data);
      try {
        const s = await boot();
        const w = (label: string) => ({ id: label, actor: 'stopper', props: { label, ms: 15 } });
        // top: [first, pool: [w0..w3] spread over both executors]; stops go pool (w3, w2, w1, w0), then first.
        const h = await s.start({
          id: 'top',
          children: [
            { ...w('first'), placement: 'local' },
            { id: 'pool', supervisor: { children: ['w0', 'w1', 'w2', 'w3'].map(w) } },
          ],
        });
        const pool = await h.supervisor('pool');
        const refs = (await pool.children()).map((r) => r.ref as ActorRef<{ type: 'where' }>);
        const threads = await Promise.all(refs.map((r) => r.ask<number>({ type: 'where' })));
        expect(new Set(threads).size).toBe(2);
        if (move) await s.migrate(pool.ref, { executor: pool.ref.id % 1024 === 1 ? 2 : 1 });
        const report = await s.shutdown();
        system = undefined;
        expect(report.outcome).toBe('clean');
        expect(report.forced).toEqual([]);
        expect(report.stopped).toBe(7); // two supervisors and five workers
        expect(report.stats.inFlight).toBe(0);
        expect(report.stats.sent).toBe(report.stats.processed + report.stats.deadLettered.total);
        await expect.poll(() => stops.length).toBe(5);
        const byStart = [...stops].sort((x, y) => (x.start < y.start ? -1 : 1));
        expect(byStart.map((r) => r.label)).toEqual(['w3', 'w2', 'w1', 'w0', 'first']);
        // One by one: each onStop ended before the next began, whichever thread ran it.
        for (let i = 1; i < byStart.length; i++) expect(byStart[i]!.start > byStart[i - 1]!.end).toBe(true);
        expect(new Set(byStart.slice(0, 4).map((r) => r.thread))).toEqual(new Set(threads));
      } finally {
        ch.close();
      }
    },
  );
});
