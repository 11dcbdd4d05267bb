/**
 * End to end: SIGTERM to a running app with `handleSignals: true` yields a
 * graceful shutdown, the report on stderr, exit code 0, and a process that
 * exits by itself (nothing left holding it: no thread, no timer, no listener).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** ms from the first signal to the exit. */
  exitMs: number;
}

function runApp(
  executors: number,
  signals: NodeJS.Signals[],
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@troupe/source', '--import', 'tsx', 'test/fixtures/shutdown-app.ts'],
      { cwd: root, env: { ...process.env, ...env, TROUPE_EXECUTORS: String(executors) }, stdio: 'pipe' },
    );
    let stdout = '';
    let stderr = '';
    let signalledAt = 0;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`app did not exit; stdout: ${stdout}\nstderr: ${stderr}`));
    }, 40_000);
    child.stdout.on('data', (b: Buffer) => {
      stdout += b;
      if (signalledAt === 0 && stdout.includes('ready')) {
        signalledAt = performance.now();
        // Later signals after a pause: the shutdown must be under way, not just the first listener.
        for (const [i, s] of signals.entries()) setTimeout(() => child.kill(s), i * 300);
      }
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, exitMs: performance.now() - signalledAt });
    });
  });
}

describe('SIGTERM to a running app (child process)', () => {
  it.each([0, 2])(
    'with %i executors: shuts down cleanly, prints the report, exits 0 by itself',
    async (executors) => {
      const r = await runApp(executors, ['SIGTERM']);
      expect(r.stderr).toMatch(/troupe shutdown \(SIGTERM\): clean in [\d.]+ ms; stopped 100, forced 0/);
      expect(r.stderr).not.toMatch(/process still running/);
      expect(r.code).toBe(0);
      expect(r.signal).toBeNull();
      expect(r.stdout).toContain('flushed');
      const line = r.stdout.split('\n').find((l) => l.startsWith('report '));
      const report = JSON.parse(line!.slice('report '.length));
      expect(report.outcome).toBe('clean');
      expect(report.stats.inFlight).toBe(0);
      expect(report.stats.sent).toBe(report.stats.processed + report.stats.deadLettered.total);
      expect(Object.keys(report.stats.deadLettered.byReason).filter((k) => k !== 'shutdown')).toEqual([]);
      // It exited on its own: the safety net (which prints the warning above) did not fire.
      expect(r.exitMs).toBeLessThan(20_000);
    },
  );

  it('a second SIGTERM forces a shutdown stuck on a hanging handler: exit code 2', async () => {
    const r = await runApp(0, ['SIGTERM', 'SIGTERM'], { SHUTDOWN_APP_STUCK: '1' });
    expect(r.stderr).toMatch(/troupe shutdown \(SIGTERM\): forced in [\d.]+ ms; stopped \d+, forced [1-9]/);
    expect(r.code).toBe(2);
    const line = r.stdout.split('\n').find((l) => l.startsWith('report '));
    const report = JSON.parse(line!.slice('report '.length));
    expect(report.forceRequested).toBe(true);
    expect(report.stats.inFlight).toBe(0);
    // Well before the app's 20 s timeout: the second signal cut it short.
    expect(r.exitMs).toBeLessThan(2000);
  });
});
