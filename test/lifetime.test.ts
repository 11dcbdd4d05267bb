/**
 * Process lifetime, in one thread and with executors alike (runtime README, "Process
 * lifetime"): pending work — an awaited ask, a `ctx.schedule` timer, a restart waiting out its
 * backoff, a handler awaiting a promise, messages actors pass each other — keeps the process
 * alive until it is done; an idle system lets it exit without `shutdown()`. Each case runs
 * test/fixtures/lifetime/app.ts in a child process, which returns from its top level leaving
 * that work behind, and checks what it printed and that it exited by itself with code 0.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const app = fileURLToPath(new URL('./fixtures/lifetime/app.ts', import.meta.url));

/** A process still running after this was held open by something: it is killed and the test fails. */
const KILL_MS = 40_000;

function run(executors: number, scenario: string, ...args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      ['--conditions=@troupe/source', '--import', 'tsx', app, String(executors), scenario, ...args],
      { timeout: KILL_MS },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err.code as number | undefined) ?? null) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

/** The number in `<what> after <n> ms`, the line the app prints when the pending work is done. */
function afterMs(stdout: string, what: string): number {
  const m = new RegExp(`^${what} after (\\d+) ms$`, 'm').exec(stdout);
  expect(m, `stdout: ${stdout}`).not.toBeNull();
  return Number(m![1]);
}

describe.each([0, 2])('with %i executors', (executors) => {
  it('an awaited ask nobody answers keeps the process alive until it times out', async () => {
    const r = await run(executors, 'ask');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Printed by the catch: the rejection came (at its timeout, 300 ms) before the exit.
    expect(afterMs(r.stdout, 'ask ask-timeout')).toBeGreaterThanOrEqual(290);
  }, 60_000);

  it('an idle system lets the process exit without shutdown()', async () => {
    const r = await run(executors, 'idle');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('count 3\n');
  }, 60_000);

  it('a ctx.schedule timer keeps the process alive until it fires', async () => {
    const r = await run(executors, 'schedule');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(afterMs(r.stdout, 'fired')).toBeGreaterThanOrEqual(290);
  }, 60_000);

  it('a supervised child waiting out its restart backoff keeps the process alive until it restarts', async () => {
    const r = await run(executors, 'restart');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(afterMs(r.stdout, 'restarted')).toBeGreaterThanOrEqual(290);
  }, 60_000);
});

describe('with 2 executors: work the main thread does not see', () => {
  it('a handler awaiting a promise on an executor keeps the process alive until it settles', async () => {
    const r = await run(2, 'handler');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(afterMs(r.stdout, 'slept')).toBeGreaterThanOrEqual(290);
  }, 60_000);

  it('messages two actors pass between executors keep the process alive until the last one', async () => {
    const r = await run(2, 'relay', '300');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    afterMs(r.stdout, 'done');
  }, 60_000);
});
