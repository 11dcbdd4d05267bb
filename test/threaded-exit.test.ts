/** After shutdown() no worker thread remains and the process exits by itself. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

function runApp(flags: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const app = fileURLToPath(new URL('./fixtures/threaded/exit-app.ts', import.meta.url));
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...flags, '--conditions=@troupe/source', '--import', 'tsx', app],
      { timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (err.code as number | null) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

it('a process with executors exits on its own after shutdown()', async () => {
  const out = await runApp([]);
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  const r = JSON.parse(out.stdout.trim().split('\n').pop()!);
  expect(new Set(r.tids).size).toBe(2);
  expect(r.executorsLeft).toBe(0);
  expect(r.outcome).toBe('clean');
}, 90_000);

// Executors inherit the process's flags; process-wide V8 flags that a worker refuses
// (ERR_WORKER_INVALID_EXEC_ARGV) must not stop them from starting.
it('executors start when the process runs with V8 flags such as --expose-gc', async () => {
  const out = await runApp(['--expose-gc', '--max-old-space-size=512']);
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  const r = JSON.parse(out.stdout.trim().split('\n').pop()!);
  expect(new Set(r.tids).size).toBe(2);
  expect(r.outcome).toBe('clean');
}, 90_000);
