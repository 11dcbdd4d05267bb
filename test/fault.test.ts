/**
 * Executor fault isolation on real threads: a handler that spins forever, a
 * handler that calls process.exit(1), and one that exhausts a small heap.
 * Each test waits for the executor.* events, never for time to pass.
 */
import { type ActorRef, type ActorSystem, isActorStoppedError } from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { balanced, FAST, type Harness, start } from './fault-helpers.ts';
import * as F from './fixtures/fault-actors.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Scene {
  system: ActorSystem;
  guardian: ActorRef<F.GuardianMsg>;
  culprit: ActorRef<F.WorkerMsg>;
  neighbour: ActorRef<F.WorkerMsg>;
  other: ActorRef<F.WorkerMsg>;
}

/** Culprit and a neighbour on executor 1; the guardian and another worker on executor 2. */
async function scene(system: ActorSystem): Promise<Scene> {
  const on = (executor: number) => ({ placement: { executor } });
  const guardian = await system.spawn(F.guardian, undefined, on(2));
  const culprit = await system.spawn(F.worker, { key: 'culprit' }, on(1));
  const neighbour = await system.spawn(F.worker, { key: 'neighbour' }, on(1));
  const other = await system.spawn(F.worker, { key: 'other' }, on(2));
  for (const [key, ref] of Object.entries({ culprit, neighbour, other }))
    guardian.tell({ type: 'adopt', key, ref });
  // The guardian's watches are registered once it has answered.
  await guardian.ask({ type: 'children' });
  for (let i = 0; i < 10; i++) neighbour.tell({ type: 'inc' });
  expect(await neighbour.ask<number>({ type: 'get' })).toBe(10);
  return { system, guardian, culprit, neighbour, other };
}

async function faultAndRecover(
  fault: 'spin' | 'exit' | 'oom',
  expectKind: 'executor.hung' | 'executor.crashed',
) {
  const s = await scene(h!.system);
  const reason = expectKind === 'executor.hung' ? 'executor-hung' : 'executor-crashed';
  const t0 = performance.now();
  s.culprit.tell({ type: fault });
  // Behind the fault: an ask that can never be answered and tells that die with the thread.
  const pending = s.culprit.ask({ type: 'get' }, { timeoutMs: 60_000 }).then(
    () => undefined,
    (x: unknown) => x,
  );
  for (let i = 0; i < 5; i++) s.neighbour.tell({ type: 'inc' });
  // A spawn request in a later batch than the fault: the executor reads it after the drain that
  // never ends, so never (a port message is handled after the previous one's microtasks).
  await new Promise((r) => setImmediate(r));
  const spawning = h!.system.spawn(F.worker, { key: 'late' }, { placement: { executor: 1 } }).then(
    () => 'answered',
    (x: unknown) => x,
  );
  // Tells in that later batch too (the spinning thread stays connected until the verdict): they sit
  // unread in its port and are counted through the transit ledger.
  const unread = fault === 'spin' ? 3 : 0;
  for (let i = 0; i < unread; i++) s.neighbour.tell({ type: 'inc' });
  const [lost] = await h!.next(expectKind);
  const detectedMs = performance.now() - t0;
  const e = lost as unknown as Record<string, any>;
  expect(e.executor).toBe(1);
  expect(e.culprit.actor.id).toBe(s.culprit.id);
  expect(e.culprit.actor.def).toBe('worker');
  expect(e.culprit.messageType).toBe(fault);
  if (fault === 'oom') expect(String(e.error)).toMatch(/out of memory|ERR_WORKER_OUT_OF_MEMORY/i);
  if (fault === 'spin') {
    expect(e.silentMs).toBeGreaterThan(FAST.hangTimeoutMs);
    // Verdict at the first check past the timeout; a check later than hangTimeoutMs / 2 judges nothing,
    // so the checker's own timer lateness (loaded machine) is bounded too.
    expect(e.silentMs).toBeLessThanOrEqual(
      FAST.hangTimeoutMs + FAST.watchdogIntervalMs + FAST.hangTimeoutMs / 2,
    );
  }

  for (const err of [await pending, await spawning]) {
    expect(isActorStoppedError(err)).toBe(true);
    expect((err as { context: { reason: string } }).context.reason).toBe(reason);
  }

  const [replaced] = await h!.next('executor.replaced');
  const r = replaced as unknown as Record<string, any>;
  expect(r.executor).toBe(1);
  expect(r.group).toBe(0);
  const replacement = r.replacement as number;
  expect(h!.system.metrics().executors.map((x) => x.id)).toContain(replacement);

  // The actor on the healthy executor never noticed.
  s.other.tell({ type: 'inc' });
  expect(await s.other.ask<number>({ type: 'get' })).toBe(1);

  // Its supervisor saw both actors of the lost executor fail, and restarted them.
  const failures = await s.guardian.ask<{ key: string; reason: string }[]>({ type: 'failures' });
  expect(failures.map((f) => f.key).sort()).toEqual(['culprit', 'neighbour']);
  for (const f of failures) expect(f.reason).toBe(reason);
  const children = await s.guardian.ask<Record<string, ActorRef<F.WorkerMsg>>>({ type: 'children' });
  for (const key of ['culprit', 'neighbour']) {
    const c = children[key]!;
    expect(c.id).not.toBe(key === 'culprit' ? s.culprit.id : s.neighbour.id);
    c.tell({ type: 'inc' });
    c.tell({ type: 'inc' });
    expect(await c.ask<number>({ type: 'get' })).toBe(2);
  }
  // A message to a lost actor is a dead letter, not a hang.
  const gone = await s.neighbour.ask({ type: 'get' }).then(
    () => 'answered',
    (x: unknown) => (isActorStoppedError(x) ? 'stopped' : String(x)),
  );
  expect(gone).toBe('stopped');

  const st = await balanced(h!.system);
  expect(st.balanced).toBe(true);
  expect(st.inFlight).toBe(0);
  // The fault, the ask behind it and the neighbour's 5 tells: accepted in one batch, never processed;
  // plus the unread ones.
  expect(st.deadLettered.byReason['executor-lost']).toBe(7 + unread);
  expect(e.lostMessages).toBe(7);
  const faults = h!.system.metrics().faults!;
  expect(faults.replaced).toBe(1);
  expect(expectKind === 'executor.hung' ? faults.hung : faults.crashed).toBe(1);
  return { detectedMs, replacedMs: r.ms as number };
}

describe('executor fault isolation', () => {
  it('a handler that spins forever: detected, terminated, replaced; supervision restarts its actors', async () => {
    h = await start();
    const t = await faultAndRecover('spin', 'executor.hung');
    // From the tell (not the last beat): the bound plus thread hand-off slack.
    expect(t.detectedMs).toBeLessThan(FAST.hangTimeoutMs + FAST.watchdogIntervalMs + 250);
  });

  it('process.exit(1) in a handler: the exit is detected and recovered the same way', async () => {
    h = await start();
    await faultAndRecover('exit', 'executor.crashed');
  });

  it('an error thrown outside any handler: the executor crashes without a culprit and is replaced', async () => {
    h = await start();
    const { system } = h;
    const w = await system.spawn(F.worker, { key: 'w' }, { placement: { executor: 1 } });
    const watcher = await system.spawn(F.guardian, undefined, { placement: { executor: 2 } });
    watcher.tell({ type: 'adopt', key: 'w', ref: w });
    await watcher.ask({ type: 'children' });
    w.tell({ type: 'throwLater' });
    const [crashed] = (await h.next('executor.crashed')) as unknown as Record<string, unknown>[];
    expect(crashed!.executor).toBe(1);
    expect(crashed!.culprit).toBeUndefined();
    expect(String(crashed!.error)).toContain('thrown outside a handler');
    await h.next('executor.replaced');
    const failures = await watcher.ask<{ key: string; reason: string }[]>({ type: 'failures' });
    expect(failures).toEqual([expect.objectContaining({ key: 'w', reason: 'executor-crashed' })]);
    expect((await balanced(system)).balanced).toBe(true);
  });

  it('an out-of-memory under small resourceLimits: the crash is detected and recovered', async () => {
    // A heap near its limit spends its time in GC and beats rarely: give the watchdog room so the
    // out-of-memory (not the hang verdict) ends the thread.
    h = await start({
      hangTimeoutMs: 5000,
      resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 },
    });
    await faultAndRecover('oom', 'executor.crashed');
  });
});

describe('a migration cut short by the loss of an executor', () => {
  it('an actor arriving when its birth executor is lost lives on where it arrived', async () => {
    h = await start();
    const on = (executor: number) => ({ placement: { executor } });
    const culprit = await h.system.spawn(F.worker, { key: 'culprit' }, on(1));
    const mover = await h.system.spawn(F.worker, { key: 'mover' }, on(1));
    mover.tell({ type: 'inc' });
    expect(await mover.ask<number>({ type: 'get' })).toBe(1);
    // One batch to executor 1: the ask joins mover's mailbox, mover leaves for executor 2 with it,
    // then the culprit hangs executor 1 before it can answer mover's arrival (no fence ever comes).
    const asked = mover.ask<number>({ type: 'get' }, { timeoutMs: 60_000 });
    // Its answer may die with executor 1 (then only its timeout settles it): not awaited.
    void h.system.migrate(mover, { executor: 2 }).catch(() => {});
    culprit.tell({ type: 'spin' });
    expect(await asked).toBe(1); // answered on executor 2 while executor 1 hangs
    await h.next('executor.replaced');
    // Its birth executor is gone, yet it is hosted, not lost: reachable, with its state.
    mover.tell({ type: 'inc' });
    expect(await mover.ask<number>({ type: 'get' })).toBe(2);
    const st = await balanced(h.system);
    expect(st.balanced).toBe(true);
    expect(st.inFlight).toBe(0);
  });
});
