/**
 * One observer's bug stays the observer's (isolated-observable.ts): a subscriber of `events$` or
 * `deadLetters$` that throws is unsubscribed and reported (`observer.failed`, a log line); it never
 * reaches `uncaughtException`, and the other subscribers and the actors carry on.
 */
import {
  type AnyTroupeEvent,
  createSystem,
  type DeadLetter,
  defineActor,
  type ObserverFailedEvent,
} from '@troupe/runtime';
import { filter, firstValueFrom, map } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const Echo = defineActor('echo', {
  init: () => 0,
  receive: (n: number, m: 'ping', ctx) => {
    ctx.reply(`${m} ${n}`);
    return n + 1;
  },
});

let uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);
beforeEach(() => {
  uncaught = [];
  process.on('uncaughtException', onUncaught);
});
afterEach(() => {
  process.off('uncaughtException', onUncaught);
});

/** rxjs reports a subscriber's error from a timeout: give it the time to. */
const rxjsReportWindow = () => new Promise<void>((r) => setTimeout(r, 20));

async function boot() {
  const lines: string[] = [];
  const system = await createSystem({ logger: { warn: (l) => lines.push(l) } });
  const seen: AnyTroupeEvent[] = [];
  system.events$.subscribe((e) => seen.push(e));
  const failed = () => seen.filter((e): e is ObserverFailedEvent => e.type === 'observer.failed');
  return { system, lines, seen, failed };
}

describe('subscribers of events$ and deadLetters$ are isolated', () => {
  it('an events$ subscriber that throws is dropped and reported; the others and the actors go on', async () => {
    const { system, lines, seen, failed } = await boot();
    let calls = 0;
    const bug = new Error('observer bug');
    system.events$.subscribe(() => {
      calls++;
      throw bug;
    });
    const a = await system.spawn(Echo, undefined);
    await system.spawn(Echo, undefined);
    await expect(a.ask('ping')).resolves.toBe('ping 0');
    await rxjsReportWindow();
    expect(uncaught).toEqual([]);
    expect(calls).toBe(1); // dropped after its first throw
    expect(failed()).toMatchObject([{ type: 'observer.failed', stream: 'events$', error: bug }]);
    expect(seen.filter((e) => e.type === 'actor.spawned')).toHaveLength(2);
    expect(lines).toEqual([
      'troupe: a subscriber of events$ threw and was unsubscribed (the system runs on): Error: observer bug' +
        ' (the observer.failed event carries the error)',
    ]);
    await system.shutdown();
  });

  it('through operators too: a map that throws, with no error callback, is the same failure', async () => {
    const { system, failed } = await boot();
    let got = 0;
    system.events$
      .pipe(
        filter((e) => e.type === 'actor.spawned'),
        map(() => {
          throw new Error('in map');
        }),
      )
      .subscribe(() => got++);
    await system.spawn(Echo, undefined);
    await system.spawn(Echo, undefined);
    await rxjsReportWindow();
    expect(uncaught).toEqual([]);
    expect(got).toBe(0);
    expect(failed()).toHaveLength(1);
    expect((failed()[0]!.error as Error).message).toBe('in map');
    await system.shutdown();
  });

  it('a deadLetters$ subscriber that throws is dropped and reported as deadLetters$', async () => {
    const { system, failed, lines } = await boot();
    const got: DeadLetter[] = [];
    let calls = 0;
    system.deadLetters$.subscribe(() => {
      calls++;
      throw 'not even an Error';
    });
    system.deadLetters$.subscribe((d) => got.push(d));
    const a = await system.spawn(Echo, undefined);
    await system.stop(a);
    a.tell('ping');
    a.tell('ping');
    await rxjsReportWindow();
    expect(uncaught).toEqual([]);
    expect(calls).toBe(1);
    expect(got).toHaveLength(2);
    expect(failed()).toMatchObject([{ stream: 'deadLetters$', error: 'not even an Error' }]);
    expect(lines.filter((l) => l.includes('deadLetters$'))).toHaveLength(1);
    await system.shutdown();
  });

  it('rxjs helpers keep working and let go: firstValueFrom unsubscribes from the source', async () => {
    const { system } = await boot();
    const listeners = () => (system.host.events as unknown as { listeners: number }).listeners;
    const before = listeners();
    const spawned = firstValueFrom(system.events$.pipe(filter((e) => e.type === 'actor.spawned')));
    expect(listeners()).toBe(before + 1);
    const a = await system.spawn(Echo, undefined);
    expect(await spawned).toMatchObject({ type: 'actor.spawned', actor: { id: a.id } });
    expect(listeners()).toBe(before);
    await system.shutdown();
  });
});
