/**
 * The dashboard of a recording (replay-feed.ts): the events a live system produced, replayed
 * through the same model, give the totals the system counted; a problem the replay reports (a
 * corrupt line, a file cut short, a stream that fails) is said on the page, never thrown.
 */
import { type AnyTroupeEvent, createSystem, defineActor } from '@troupe/runtime';
import { from, Subject, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ReplayFeed } from '../src/dashboard/replay-feed.ts';

const Work = defineActor('replay.work', {
  init: () => 0,
  receive(n: number, m: { type: 'w' | 'boom' }) {
    if (m.type === 'boom') throw new Error('boom on purpose');
    return n + 1;
  },
});

const tickOf = (f: ReplayFeed) => f.tick(1, true);

describe('ReplayFeed', () => {
  it('recorded events give the totals the live system counted', async () => {
    const system = await createSystem({});
    const seen: AnyTroupeEvent[] = [];
    const sub = system.events$.subscribe((e) => seen.push(e));
    const refs = await Promise.all([0, 1, 2].map((i) => system.spawn(Work, undefined, { name: `w${i}` })));
    for (let k = 0; k < 100; k++) for (const r of refs) r.tell({ type: 'w' });
    refs[1]!.tell({ type: 'boom' });
    await system.stop(refs[2]!);
    await expect.poll(() => system.stats().inFlight).toBe(0);
    sub.unsubscribe();
    const live = system.stats();
    // The events as a recording gives them back: JSON, errors as plain objects.
    const recorded = seen.map((e) =>
      JSON.parse(
        JSON.stringify(e, (_k, v) =>
          v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v,
        ),
      ),
    );
    const feed = new ReplayFeed(from(recorded as AnyTroupeEvent[]), 'test.ndjson');
    const t = tickOf(feed);
    expect(t.notice).toBeNull();
    expect(t.totals).toMatchObject({
      processed: live.processed,
      sent: live.sent,
      actors: live.actors,
      failures: 1,
    });
    expect(
      feed.model
        .actorPage({ sort: 'name', desc: false, filter: '', offset: 0, limit: 10 })
        .rows.map((r) => r.name),
    ).toEqual(['w0', 'w1']);
    feed.close();
    await system.shutdown();
  });

  it('says on the page what went wrong: a corrupt line, a truncated file, a stream that fails', () => {
    const corrupt = new ReplayFeed(
      from([
        { type: 'actor.spawned', at: 1, actor: { id: 1, def: 'd' } },
        {
          type: 'observability.replay-corrupt',
          at: 2,
          error: { name: 'RecordingError', message: 'line 3 is not JSON' },
        },
      ] as unknown as AnyTroupeEvent[]),
      'bad.ndjson',
    );
    expect(tickOf(corrupt).notice).toBe('observability.replay-corrupt: line 3 is not JSON');
    expect(tickOf(corrupt).totals.actors).toBe(1);
    const failing = new ReplayFeed(
      throwError(() => new Error('ENOENT: no such file')),
      'gone.ndjson',
    );
    expect(tickOf(failing).notice).toMatch(/could not be read to the end: ENOENT/);
    const running = new Subject<AnyTroupeEvent>();
    const still = new ReplayFeed(running, 'slow.ndjson');
    expect(tickOf(still).notice).toBe('replaying…');
    running.complete();
    expect(tickOf(still).notice).toBeNull();
  });
});
