/**
 * No promise hangs when an executor is lost: stop, ask, migrate, syncStats and shutdown each
 * settle — resolved, or rejected with the loss as a typed error — when the executor they wait
 * on hangs or crashes while they are in flight. Asks and requests get timeouts far beyond the
 * test's own, so a promise that settled only by its timeout fails the test; each test waits
 * for explicit events (executor.*), never for time to pass.
 */
import { type ActorRef, isActorStoppedError } from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { balanced, type Harness, start } from './fault-helpers.ts';
import * as F from './fixtures/fault-promises-actors.ts';

const actors = new URL('./fixtures/fault-promises-actors.ts', import.meta.url);
/** Asks and requests that settle only by timeout would outlive the test. */
const NEVER = 600_000;
const on1 = { placement: { executor: 1 } };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Outcome =
  | { ok: true }
  | { ok: false; code: string | undefined; reason: string | undefined; message: string };

const outcome = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(
    () => ({ ok: true }),
    (e: { code?: string; context?: { reason?: string }; message?: string }) => ({
      ok: false,
      code: e.code,
      reason: e.context?.reason,
      message: String(e.message),
    }),
  );

/** A later batch than what was told before: the executor reads it after that message's turn. */
const nextBatch = () => new Promise((r) => setImmediate(r));

const gone = (ref: ActorRef) =>
  ref.ask({ type: 'get' }, { timeoutMs: NEVER }).then(
    () => 'answered',
    (e: unknown) => (isActorStoppedError(e) ? 'stopped' : String(e)),
  );

describe('promises in flight when an executor is lost', () => {
  it('system.stop resolves for every actor whose stop was under way when its executor crashed', async () => {
    h = await start({ actors, askTimeoutMs: NEVER });
    const { system } = h;
    const refs: ActorRef[] = [];
    for (let i = 0; i < 50; i++) refs.push(await system.spawn(F.lingerer, undefined, on1));
    const culprit = await system.spawn(F.worker, { key: 'culprit' }, on1);
    const stops = refs.map((r) => outcome(system.stop(r)));
    // Every stop has reached its actor (whose onStop now waits forever) before the crash.
    await system.syncStats();
    culprit.tell({ type: 'exit' });
    expect(await Promise.all(stops)).toEqual(refs.map(() => ({ ok: true })));
    expect(await gone(refs[0]!)).toBe('stopped');
  });

  it('system.stop resolves when the stop waits behind a handler that hangs its executor', async () => {
    h = await start({ actors, askTimeoutMs: NEVER });
    const { system } = h;
    const victim = await system.spawn(F.worker, { key: 'victim' }, on1);
    const culprit = await system.spawn(F.worker, { key: 'culprit' }, on1);
    culprit.tell({ type: 'spin' });
    await nextBatch();
    expect(await outcome(system.stop(victim))).toEqual({ ok: true });
    expect(await gone(victim)).toBe('stopped');
  });

  it('a stop routed through the lost birth executor of an actor that lives on still reaches it', async () => {
    h = await start({ actors, askTimeoutMs: NEVER });
    const { system } = h;
    const moved = await system.spawn(F.worker, { key: 'moved' }, on1);
    const culprit = await system.spawn(F.worker, { key: 'culprit' }, on1);
    await system.migrate(moved, { executor: 2 });
    culprit.tell({ type: 'spin' });
    await nextBatch();
    // Sent to its birth executor (the directory), which hangs: the frame dies in its port.
    const stop = outcome(system.stop(moved));
    await h.next('executor.hung');
    expect(await stop).toEqual({ ok: true });
    expect(await gone(moved)).toBe('stopped');
  });

  it('system.migrate of an actor whose executor hangs rejects with the loss, not its timeout', async () => {
    h = await start({ actors, askTimeoutMs: NEVER });
    const { system } = h;
    const victim = await system.spawn(F.worker, { key: 'victim' }, on1);
    const culprit = await system.spawn(F.worker, { key: 'culprit' }, on1);
    culprit.tell({ type: 'spin' });
    await nextBatch();
    expect(await outcome(system.migrate(victim, { executor: 2 }))).toMatchObject({
      ok: false,
      code: 'actor-stopped',
      reason: 'executor-hung',
    });
  });

  it('syncStats while an executor is lost resolves, and the counts balance', async () => {
    h = await start({ actors, askTimeoutMs: NEVER });
    const { system } = h;
    const culprit = await system.spawn(F.worker, { key: 'culprit' }, on1);
    culprit.tell({ type: 'spin' });
    await nextBatch();
    // Its request to the hung executor is answered by nobody: the loss settles it.
    expect(await outcome(system.syncStats())).toEqual({ ok: true });
    await h.next('executor.replaced');
    expect(await outcome(system.syncStats())).toEqual({ ok: true });
    expect((await balanced(system)).balanced).toBe(true);
  });

  it('asks to an actor lost with its executor reject with ActorStoppedError naming the loss, from any thread, before and after', async () => {
    h = await start({ actors, askTimeoutMs: NEVER });
    const { system } = h;
    const prober = await system.spawn(F.prober, undefined, { placement: { executor: 2 } });
    // It never answers: an ask to it is pending at the crash whichever way the frames race.
    const victim = await system.spawn(F.mute, undefined, on1);
    const culprit = await system.spawn(F.worker, { key: 'culprit' }, on1);
    const fromMain = () => outcome(victim.ask({ type: 'get' }, { timeoutMs: NEVER }));
    const fromExecutor = () =>
      prober
        .ask<{ outcome: string }>({ type: 'probe', target: victim, timeoutMs: NEVER })
        .then((r) => r.outcome);
    culprit.tell({ type: 'exit' });
    const main: Promise<Outcome>[] = [fromMain()];
    const executor: Promise<string>[] = [fromExecutor()];
    for (const event of ['executor.exited', 'executor.crashed', 'executor.replaced']) {
      await h.next(event);
      main.push(fromMain());
      executor.push(fromExecutor());
    }
    for (const r of await Promise.all(main))
      expect(r).toMatchObject({ ok: false, code: 'actor-stopped', reason: 'executor-crashed' });
    expect(await Promise.all(executor)).toEqual(executor.map(() => 'actor-stopped executor-crashed'));
  });

  it('shutdown while an executor crashes resolves with its report', async () => {
    h = await start({ actors, askTimeoutMs: NEVER });
    const { system } = h;
    const culprit = await system.spawn(F.worker, { key: 'culprit' }, on1);
    await system.spawn(F.worker, { key: 'other' }, { placement: { executor: 2 } });
    culprit.tell({ type: 'exit' });
    const report = await system.shutdown({ timeoutMs: 5000 });
    expect(report.stats.inFlight).toBe(0);
  });
});
