import {
  type ActorRef,
  type AnyTroupeEvent,
  createSystem,
  defineActor,
  exitCodeOf,
  isConfigError,
  isShutdownError,
  SHUTDOWN_PHASES,
  SimulatedClock,
} from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { drive, expectAccounted, tick } from './shutdown-helpers.ts';

const Counter = defineActor('sd-counter', {
  init: () => ({ n: 0 }),
  receive(s, m: { type: 'inc' } | { type: 'get' }, ctx) {
    if (m.type === 'get') ctx.reply(s.n);
    return m.type === 'inc' ? { n: s.n + 1 } : s;
  },
});

/** Records its name in `log` when it stops; spawns the named children at start. */
const Node = defineActor('sd-node', {
  init: (p: { name: string; log: string[]; kids?: string[] }) => p,
  onStart(s, ctx) {
    for (const k of s.kids ?? []) ctx.spawn(Node, { name: k, log: s.log });
  },
  receive: (s) => s,
  onStop(s) {
    s.log.push(s.name);
  },
});

/** Never finishes the first message it gets. */
const Hang = defineActor('sd-hang', {
  init: () => ({ n: 0 }),
  receive: (s) => new Promise<typeof s>(() => {}),
});

describe('shutdown', () => {
  it('stops top-level trees concurrently (newest first); inside a tree, children in reverse start order before their parent', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const log: string[] = [];
    system.spawnSync(Node, { name: 'a', log, kids: ['a1', 'a2'] });
    system.spawnSync(Node, { name: 'b', log });
    system.spawnSync(Node, { name: 'c', log, kids: ['c1'] });
    await tick();
    const report = await system.shutdown();
    // The three trees are asked at once, c first: their leaves go in one dispatcher turn, then each
    // tree goes on up on its own — a1 after a2, each parent after its children.
    expect(log).toEqual(['c1', 'b', 'a2', 'c', 'a1', 'a']);
    expect(report).toMatchObject({ outcome: 'clean', stopped: 6, forced: [] });
    expect(report.phases.map((p) => p.phase)).toEqual([...SHUTDOWN_PHASES]);
    expect(system.stats().actors).toBe(0);
  });

  it('stops intake: spawns throw, outside tells and asks are dead-lettered `shutdown`', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const c = system.spawnSync(Counter, undefined);
    let release!: () => void;
    system.onShutdown('drain', () => new Promise<void>((r) => (release = r)));
    const p = system.shutdown();
    await tick();
    expect(() => system.spawnSync(Counter, undefined)).toThrow(expect.objectContaining({ code: 'shutdown' }));
    await expect(system.spawn(Counter, undefined)).rejects.toSatisfy(isShutdownError);
    c.tell({ type: 'inc' });
    await expect(c.ask({ type: 'get' })).rejects.toSatisfy(isShutdownError);
    release();
    const report = await p;
    expect(report.deadLettered).toEqual({ shutdown: 2 });
    expectAccounted(system.stats());
  });

  it('lets actors keep talking during the drain and processes what was queued', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const sink = system.spawnSync(Counter, undefined);
    const Relay = defineActor('sd-relay', {
      init: (p: { to: ActorRef<{ type: 'inc' }> }) => p,
      receive(s, _m: 'go') {
        s.to.tell({ type: 'inc' });
        return s;
      },
    });
    const relay = system.spawnSync(Relay, { to: sink });
    for (let i = 0; i < 1000; i++) relay.tell('go');
    const report = await system.shutdown({ drain: true });
    expect(report.drained).toBe(2000);
    expect(report.deadLettered).toEqual({});
    expect(system.stats()).toMatchObject({ sent: 2000, processed: 2000 });
  });

  it('with drain: false dead-letters queued messages with reason `shutdown`', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    let release!: () => void;
    const Gate = defineActor('sd-gate', {
      init: () => 0,
      receive: (n: number, m: 'wait' | 'inc') =>
        m === 'wait' ? new Promise<number>((r) => (release = () => r(n))) : n + 1,
    });
    const g = system.spawnSync(Gate, undefined);
    g.tell('wait');
    await tick();
    for (let i = 0; i < 500; i++) g.tell('inc');
    const p = system.shutdown({ drain: false });
    await tick();
    expect(system.stats().deadLettered.byReason).toEqual({ shutdown: 500 });
    release(); // the handler in progress still completes: stopping waits for it
    const report = await p;
    // Nothing was killed, but 500 messages were dropped: the outcome says so (exit code 3).
    expect(report).toMatchObject({ drained: 0, processed: 1, outcome: 'incomplete', forced: [] });
    expect(exitCodeOf(report)).toBe(3);
    expect(report.deadLettered).toEqual({ shutdown: 500 });
    expectAccounted(system.stats());
  });

  it('force-stops a hanging handler at the deadline; its message is dead-lettered and its ask rejects', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const log: string[] = [];
    system.spawnSync(Node, { name: 'before', log });
    const h = system.spawnSync(Hang, undefined, { name: 'hang' });
    system.spawnSync(Node, { name: 'after', log });
    const asked = h.ask('work', { timeoutMs: 60_000 }).catch((e: unknown) => e);
    h.tell('queued');
    await tick();
    const report = await drive(system.shutdown({ timeoutMs: 1000 }), clock, 10);
    expect(isShutdownError(await asked)).toBe(true);
    expect(report.outcome).toBe('forced');
    // Reverse order: `after` stops gracefully; `hang` holds the stop phase until the
    // deadline and is killed; `before`, not reached in time, gets phase 4's last
    // stop request and, being idle, still stops cleanly.
    expect(report.forced).toEqual([{ actor: h.toJSON(), cause: 'deadline', onStop: 'none' }]);
    expect(log).toEqual(['after', 'before']);
    expect(report.stopped).toBe(2);
    expect(report.durationMs).toBeGreaterThanOrEqual(1000);
    expect(report.durationMs).toBeLessThanOrEqual(1000 + 10);
    expect(report.deadLettered).toEqual({ shutdown: 2 });
    expectAccounted(system.stats());
    expect(system.stats().actors).toBe(0);
  });

  it('kills an actor that overruns its own shutdownMs and goes on with the next', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    // setShutdownMs is the supervision integration point, not public API: reach it by path.
    const internal = new URL('../src/features/shutdown/stop-node.ts', import.meta.url).href;
    const { setShutdownMs } = (await import(/* @vite-ignore */ internal)) as {
      setShutdownMs(cell: unknown, ms: number): void;
    };
    const log: string[] = [];
    const SlowStop = defineActor('sd-slow-stop', {
      init: () => null,
      receive: (s) => s,
      onStop: () => new Promise<void>(() => {}),
    });
    system.spawnSync(Node, { name: 'first', log });
    const slow = system.spawnSync(SlowStop, undefined);
    setShutdownMs(slow.cell!, 100);
    const events: AnyTroupeEvent[] = [];
    system.events$.subscribe((e) => events.push(e));
    await tick();
    const report = await drive(system.shutdown({ timeoutMs: 5000 }), clock, 10);
    expect(report.forced).toEqual([{ actor: slow.toJSON(), cause: 'shutdown-timeout', onStop: 'abandoned' }]);
    expect(log).toEqual(['first']);
    expect(report.durationMs).toBeLessThanOrEqual(110);
    expect(events.some((e) => e.type === 'shutdown.actor-forced')).toBe(true);
  });

  it('ignores the late result of a killed handler', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    let finish!: () => void;
    const Late = defineActor('sd-late', {
      init: () => 0,
      receive: (n: number) => new Promise<number>((r) => (finish = () => r(n + 1))),
    });
    const l = system.spawnSync(Late, undefined);
    l.tell('x');
    await tick();
    const report = await drive(system.shutdown({ timeoutMs: 100 }), clock, 10);
    expect(report.forced).toHaveLength(1);
    const before = system.stats();
    finish();
    await tick();
    expect(system.stats()).toEqual(before);
    expectAccounted(before);
  });

  it('reports hook failures and timeouts without blocking later phases', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const ran: string[] = [];
    let aborted = false;
    system.onShutdown('stop-intake', function closeServer() {
      ran.push('stop-intake');
    });
    system.onShutdown(
      'drain',
      ({ signal }) =>
        new Promise<void>((resolve) => {
          ran.push('drain');
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          });
        }),
      { timeoutMs: 200, name: 'slow' },
    );
    system.onShutdown('stop-actors', () => {
      throw new Error('boom');
    });
    system.onShutdown('flush', async () => {
      ran.push('flush');
      throw new Error('sink down');
    });
    const off = system.onShutdown('terminate', () => {
      ran.push('removed');
    });
    off();
    system.onShutdown('terminate', () => {
      ran.push('terminate');
    });
    const report = await drive(system.shutdown(), clock, 10);
    expect(ran).toEqual(['stop-intake', 'drain', 'flush', 'terminate']);
    expect(aborted).toBe(true);
    expect(report.outcome).toBe('failed');
    expect(report.hookFailures.map((f) => [f.phase, f.hook, f.kind])).toEqual([
      ['drain', 'slow', 'timeout'],
      ['stop-actors', 'hook#1', 'failed'],
      ['flush', 'hook#2', 'failed'],
    ]);
    expect(report.hookFailures[0]!.afterMs).toBe(200);
    expect(report.phases.find((p) => p.phase === 'drain')!.durationMs).toBe(200);
  });

  it('validates hooks and options, naming the field', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    expect(() => system.onShutdown('later' as never, () => {})).toThrow(
      expect.objectContaining({
        code: 'config',
        context: expect.objectContaining({ path: 'onShutdown(phase)' }),
      }),
    );
    expect(() => system.onShutdown('flush', () => {}, { timeoutMs: -1 })).toThrow(
      expect.objectContaining({
        context: expect.objectContaining({ path: 'onShutdown(options).timeoutMs' }),
      }),
    );
    await expect(system.shutdown({ timeoutMs: 'soon' as never })).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'shutdown(options).timeoutMs',
    );
    await expect(system.shutdown({ drainTimeoutMs: 10, timeoutMs: 5 })).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'shutdown(options).drainTimeoutMs',
    );
    await expect(system.shutdown({ grace: 1 } as never)).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'shutdown(options).grace',
    );
    await expect(createSystem({ handleSignals: ['SIGKILL' as never] })).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'options.handleSignals[0]',
    );
  });

  it('emits phase events and the report, then completes the streams', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    system.spawnSync(Counter, undefined);
    const events: AnyTroupeEvent[] = [];
    let completed = false;
    system.events$.subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    const report = await system.shutdown({ reason: 'deploy' });
    const types = events.map((e) => e.type).filter((t) => t.startsWith('shutdown.'));
    expect(types).toEqual([
      'shutdown.started',
      ...SHUTDOWN_PHASES.flatMap(() => ['shutdown.phase-started', 'shutdown.phase-completed']),
      'shutdown.completed',
    ]);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'shutdown.completed', report });
    expect(report.reason).toBe('deploy');
    expect(completed).toBe(true);
  });

  it('is idempotent: every call shares one shutdown; force cuts a running one short', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const h = system.spawnSync(Hang, undefined);
    h.tell('x');
    await tick();
    const p1 = system.shutdown({ timeoutMs: 60_000 });
    const p2 = system.shutdown({ timeoutMs: 1 });
    expect(p2).toBe(p1);
    await tick();
    const p3 = system.shutdown({ force: true });
    expect(p3).toBe(p1);
    const report = await drive(p1, clock, 10);
    expect(report.outcome).toBe('forced');
    expect(report.forceRequested).toBe(true);
    expect(report.forced).toEqual([{ actor: h.toJSON(), cause: 'forced', onStop: 'none' }]);
    expect(report.durationMs).toBeLessThan(20);
    expectAccounted(system.stats());
  });

  it('completes during a restart storm with every message accounted for', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const Crashy = defineActor('sd-crashy', {
      init: () => 0,
      receive(n: number, m: number, ctx) {
        if (m > 0) ctx.self.tell(m - 1);
        throw new Error(`crash ${n}`);
      },
    });
    const refs = Array.from({ length: 10 }, () => system.spawnSync(Crashy, undefined));
    for (const r of refs) for (let i = 0; i < 10; i++) r.tell(1_000_000);
    await tick();
    const report = await drive(system.shutdown({ timeoutMs: 100 }), clock, 10);
    expect(report.durationMs).toBeLessThanOrEqual(110);
    expect(report.deadLettered.shutdown).toBeGreaterThan(0);
    expect(system.stats().actors).toBe(0);
    expectAccounted(system.stats());
  });

  it('releases its timers and the actors’ timers', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const Ticker = defineActor('sd-ticker', {
      init: () => 0,
      onStart(n, ctx) {
        ctx.schedule(100, 'tick', { repeat: true });
        return n;
      },
      receive: (n: number) => n + 1,
    });
    system.spawnSync(Ticker, undefined);
    system.onShutdown('flush', () => new Promise<void>(() => {}), { timeoutMs: 50 });
    await tick();
    clock.advance(250);
    await tick();
    expect(clock.pending).toBe(1);
    await drive(system.shutdown(), clock, 10);
    expect(clock.pending).toBe(0);
  });
});

describe('shutdown on the wall clock', () => {
  it('force-stops a hanging handler within timeoutMs plus a small margin', async () => {
    const system = await createSystem();
    const h = system.spawnSync(Hang, undefined);
    h.tell('x');
    await tick();
    const timeoutMs = 200;
    const t0 = performance.now();
    const report = await system.shutdown({ timeoutMs });
    const elapsed = performance.now() - t0;
    expect(report.forced).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 1);
    // Measured margin on a 2-core CI box: ~1–3 ms (timer granularity + one microtask hop).
    expect(elapsed - timeoutMs).toBeLessThan(50);
    expectAccounted(system.stats());
  });
});
