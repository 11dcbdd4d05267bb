/** After shutdown() no worker thread remains and the process exits by itself. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('a process with executors exits on its own after shutdown()', async () => {
  const app = fileURLToPath(new URL('./fixtures/threaded/exit-app.ts', import.meta.url));
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      ['--conditions=@troupe/source', '--import', 'tsx', app],
      { timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (err.code as number | null) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  const r = JSON.parse(out.stdout.trim().split('\n').pop()!);
  expect(new Set(r.tids).size).toBe(2);
  expect(r.executorsLeft).toBe(0);
  expect(r.outcome).toBe('clean');
}, 90_000);
