/**
 * A supervision tree spans executors (issue 17 item 3): a supervisor's workers are placed by the
 * usual placement — `'spread'` by default — so a supervised pool on 2 executors keeps both threads
 * busy, and stays supervised wherever each worker runs.
 */
import { type ActorRef, type ActorSystem, createSystem, supervisor } from '@troupe/runtime';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { CrunchMsg, FlakyMsg } from './fixtures/supervision-actors.ts';

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
