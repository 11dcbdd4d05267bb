/**
 * The shutdown report never hides loss, and one stuck actor does not spend
 * its siblings' budget (issue 15 item 6). All on a SimulatedClock.
 */
import {
  createSystem,
  defineActor,
  exitCodeOf,
  isConfigError,
  isShutdownError,
  SimulatedClock,
} from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { drive, expectAccounted, tick } from './shutdown-helpers.ts';

/** Holds its first message until `release` (a gate the test opens); answers asks with its count. */
function gated() {
  let release!: () => void;
  const opened = new Promise<void>((r) => (release = r));
  const Gate = defineActor('sdr-gate', {
    init: () => 0,
    receive(n: number, m: 'hold' | 'count', ctx) {
      if (m === 'hold') return opened.then(() => n + 1);
      ctx.reply(n);
      return n + 1;
    },
  });
  return { Gate, release: () => release() };
}

describe('the shutdown outcome never hides loss', () => {
  it('a drain that times out with asks dead-lettered is `incomplete` (exit code 3), not clean', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const { Gate, release } = gated();
    const g = system.spawnSync(Gate, undefined);
    g.tell('hold');
    const asks = Array.from({ length: 323 }, () => g.ask('count', { timeoutMs: 60_000 }).catch((e) => e));
    await tick();
    // The handler finishes after the drain gave up (100 ms) and the stop request came: nothing is
    // killed, and the stop drops the queued asks.
    clock.setTimeout(release, 200);
    const report = await drive(system.shutdown({ timeoutMs: 1000, drainTimeoutMs: 100 }), clock, 10);
    expect((await Promise.all(asks)).every(isShutdownError)).toBe(true);
    expect(report.forced).toEqual([]);
    expect(report.deadLettered).toEqual({ shutdown: 323 });
    expect(report.phases.find((p) => p.phase === 'drain')).toMatchObject({ timedOut: true });
    expect(report.outcome).toBe('incomplete');
    expect(exitCodeOf(report)).toBe(3);
    expectAccounted(system.stats());
  });

  it('a phase past its deadline is `incomplete` even when every message was processed', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const { Gate, release } = gated();
    system.spawnSync(Gate, undefined).tell('hold');
    await tick();
    system.onShutdown('stop-actors', release);
    const report = await drive(system.shutdown({ timeoutMs: 1000, drainTimeoutMs: 100 }), clock, 10);
    expect(report).toMatchObject({ forced: [], deadLettered: {}, processed: 1, stopped: 1 });
    expect(report.phases.map((p) => [p.phase, p.timedOut])).toEqual([
      ['stop-intake', false],
      ['drain', true],
      ['stop-actors', false],
      ['force-stop', false],
      ['flush', false],
      ['terminate', false],
    ]);
    expect(report.outcome).toBe('incomplete');
  });

  it('a clean shutdown stays clean: every phase in time, nothing dropped or killed', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const { Gate, release } = gated();
    system.spawnSync(Gate, undefined).tell('hold');
    await tick();
    system.onShutdown('drain', release); // the handler finishes within the drain
    const report = await drive(system.shutdown({ timeoutMs: 1000 }), clock, 10);
    expect(report.phases.every((p) => !p.timedOut)).toBe(true);
    expect(report).toMatchObject({ outcome: 'clean', deadLettered: {}, forced: [], stopped: 1 });
    expect(exitCodeOf(report)).toBe(0);
  });
});

describe('top-level actors stop concurrently, each within its own shutdownMs', () => {
  it('a stuck actor does not spend its siblings’ budget', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const stopped: string[] = [];
    /** onStop takes 300 ms (on the system's clock). */
    const Slow = defineActor('sdr-slow', {
      init: (p: { name: string }) => p,
      receive: (s) => s,
      onStop: (s) =>
        new Promise<void>((r) =>
          clock.setTimeout(() => {
            stopped.push(s.name);
            r();
          }, 300),
        ),
    });
    const Stuck = defineActor('sdr-stuck', {
      init: () => null,
      receive: (s) => s,
      onStop: () => new Promise<void>(() => {}),
    });
    for (const name of ['a', 'b', 'c']) system.spawnSync(Slow, { name });
    // Started last, so stopped first: one by one, it would hold the others past the deadline.
    const stuck = system.spawnSync(Stuck, undefined, { shutdownMs: 800 });
    await tick();
    const report = await drive(system.shutdown({ timeoutMs: 1000 }), clock, 10);
    expect(stopped.sort()).toEqual(['a', 'b', 'c']);
    expect(report.forced).toEqual([
      { actor: stuck.toJSON(), cause: 'shutdown-timeout', onStop: 'abandoned' },
    ]);
    expect(report.stopped).toBe(3);
    // The stuck actor's own budget bounds the whole stop phase.
    expect(report.durationMs).toBeGreaterThanOrEqual(800);
    expect(report.durationMs).toBeLessThanOrEqual(810);
  });

  it('children of a plain actor still stop one by one, newest first, before it', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const log: string[] = [];
    const Kid = defineActor('sdr-kid', {
      init: (p: { name: string }) => p,
      receive: (s) => s,
      onStop: (s) =>
        new Promise<void>((r) =>
          clock.setTimeout(() => {
            log.push(s.name);
            r();
          }, 10),
        ),
    });
    const Parent = defineActor('sdr-parent', {
      init: () => null,
      onStart(s, ctx) {
        for (const name of ['k1', 'k2', 'k3']) ctx.spawn(Kid, { name });
        return s;
      },
      receive: (s) => s,
      onStop() {
        log.push('parent');
      },
    });
    system.spawnSync(Parent, undefined);
    await tick();
    const report = await drive(system.shutdown({ timeoutMs: 1000 }), clock, 5);
    expect(log).toEqual(['k3', 'k2', 'k1', 'parent']);
    expect(report).toMatchObject({ outcome: 'clean', stopped: 4 });
  });

  it('shutdownMs on spawn is validated, naming the field', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const A = defineActor('sdr-a', { init: () => null, receive: (s) => s });
    for (const bad of [-1, Number.NaN, 2 ** 31, '100'])
      expect(() => system.spawnSync(A, undefined, { shutdownMs: bad as number })).toThrow(
        expect.objectContaining({
          code: 'config',
          context: expect.objectContaining({ path: 'system.spawn(options).shutdownMs' }),
        }),
      );
    await expect(system.spawn(A, undefined, { shutdownMs: -5 })).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'system.spawn(options).shutdownMs',
    );
    expect(system.spawnSync(A, undefined, { shutdownMs: 0 })).toBeDefined();
  });
});
