import { EventEmitter } from 'node:events';
import { createSystem, defineActor, type ShutdownReport, SimulatedClock } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { drive, expectAccounted, tick } from './shutdown-helpers.ts';

// The handler class is internal; the fake process keeps the test runner's own process untouched.
const internal = new URL('../src/features/shutdown/signals.ts', import.meta.url).href;
const { SignalHandler } = (await import(/* @vite-ignore */ internal)) as {
  SignalHandler: new (
    target: unknown,
    proc: unknown,
  ) => { install(signals: string[], options?: object): void; signals: string[] };
};

class FakeProcess extends EventEmitter {
  exitCode: number | undefined;
  exited: number[] = [];
  written: string[] = [];
  stderr = { write: (s: string) => this.written.push(s) };
  exit(code?: number): void {
    this.exited.push(code ?? 0);
  }
  getActiveResourcesInfo(): string[] {
    return ['TCPServerWrap'];
  }
  timers: Array<{ fn: () => void; ms: number }> = [];
  armExitTimer(fn: () => void, ms: number): void {
    this.timers.push({ fn, ms });
  }
}

const Hang = defineActor('sig-hang', {
  init: () => null,
  receive: (s) => new Promise<typeof s>(() => {}),
});

const Worker = defineActor('sig-worker', {
  init: () => 0,
  receive: (n: number) => n + 1,
});

describe('signals', () => {
  it('the first SIGTERM shuts down gracefully: exit code 0, report logged, listeners removed', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    const w = system.spawnSync(Worker, undefined);
    for (let i = 0; i < 100; i++) w.tell('x');
    const proc = new FakeProcess();
    const h = new SignalHandler(system.shutdownCoordinator, proc);
    h.install(['SIGTERM', 'SIGINT'], { exitAfterMs: 60_000 });
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    expect(proc.listenerCount('SIGINT')).toBe(1);
    proc.emit('SIGTERM');
    const report = await system.shutdown();
    await tick();
    expect(report).toMatchObject({ reason: 'SIGTERM', outcome: 'clean' });
    expect(proc.exitCode).toBe(0);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    expect(proc.listenerCount('SIGINT')).toBe(0);
    expect(proc.written.join('')).toMatch(/^troupe shutdown \(SIGTERM\): clean in .* stopped 1, forced 0/);
    expect(proc.exited).toEqual([]);
    expectAccounted(system.stats());
  });

  it('a second signal forces the shutdown: exit code 2; a third exits at once', async () => {
    const clock = new SimulatedClock();
    const system = await createSystem({ clock });
    system.spawnSync(Hang, undefined).tell('x');
    await tick();
    const proc = new FakeProcess();
    const reports: ShutdownReport[] = [];
    new SignalHandler(system.shutdownCoordinator, proc).install(['SIGINT'], {
      onReport: (r: ShutdownReport) => reports.push(r),
      exitAfterMs: 60_000,
    });
    proc.emit('SIGINT');
    await tick();
    proc.emit('SIGINT');
    const report = await drive(system.shutdown(), clock);
    expect(report).toMatchObject({ reason: 'SIGINT', outcome: 'forced', forceRequested: true });
    expect(report.durationMs).toBeLessThan(20);
    await tick();
    expect(reports).toEqual([report]);
    expect(proc.exitCode).toBe(2);
    expect(proc.written).toEqual([]);
  });

  it('a third signal while the shutdown is stuck exits immediately', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    system.onShutdown('flush', () => new Promise<void>(() => {}));
    const proc = new FakeProcess();
    new SignalHandler(system.shutdownCoordinator, proc).install(['SIGTERM']);
    proc.emit('SIGTERM');
    proc.emit('SIGTERM');
    proc.emit('SIGTERM');
    expect(proc.exited).toEqual([2]);
    await system.shutdown();
  });

  it('exits anyway when something outside Troupe holds the process after shutdown, naming it', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const proc = new FakeProcess();
    new SignalHandler(system.shutdownCoordinator, proc).install(['SIGTERM'], {
      exitAfterMs: 1500,
      onReport: false,
    });
    proc.emit('SIGTERM');
    await system.shutdown();
    await tick();
    expect(proc.timers.map((t) => t.ms)).toEqual([1500]);
    expect(proc.exited).toEqual([]);
    proc.timers[0]!.fn(); // the process is still alive 1500 ms later
    expect(proc.exited).toEqual([0]);
    expect(proc.written.join('')).toMatch(
      /still running 1500 ms after shutdown \(open: TCPServerWrap\); exiting with 0/,
    );
  });

  it('system.handleSignals installs on the process and removes the listeners after any shutdown', async () => {
    const system = await createSystem({ clock: new SimulatedClock(), handleSignals: true });
    const before = process.listenerCount('SIGTERM');
    system.handleSignals(['SIGTERM', 'SIGHUP']);
    expect(process.listenerCount('SIGTERM')).toBe(before); // already installed by the option
    expect(process.listenerCount('SIGHUP')).toBeGreaterThan(0);
    const exitCode = process.exitCode;
    await system.shutdown();
    await tick();
    expect(process.listenerCount('SIGTERM')).toBe(before - 1);
    expect(process.exitCode).toBe(exitCode); // not started by a signal: the application owns the exit code
  });
});
