/**
 * scripts/check-cycles.mjs, the CI step that fails on any import cycle among the packages'
 * source files (issue 17, "the rules are checked"). Each case writes a tiny workspace into a
 * temporary folder and runs the script on it, so the check is seen to fail on a made-up cycle
 * — value, type-only, re-export, `import()` type and cross-package — and to pass on a tree.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/check-cycles.mjs', import.meta.url));
const roots: string[] = [];

/** A workspace holding `files` (path → text) under a fresh temporary root. */
function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'troupe-cycles-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(root: string) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    execFile(process.execPath, [script, root], (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, out: stdout + stderr }),
    );
  });
}

const manifest = (name: string) =>
  JSON.stringify({ name, exports: { '.': { '@troupe/source': './src/index.ts' } } });

afterAll(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

// Each case starts its own node process (most of its time is loading typescript): run them side by side.
describe.concurrent('check-cycles', () => {
  it('passes on imports that form a tree', async () => {
    const root = workspace({
      'packages/a/src/index.ts': "export { b } from './b.ts';\nimport type { C } from './c.ts';\n",
      'packages/a/src/b.ts': "import { c } from './c.ts';\nexport const b = c;\n",
      'packages/a/src/c.ts': "import { x } from 'node:path';\nexport const c = x;\nexport type C = 1;\n",
    });
    const r = await check(root);
    expect(r.out).toContain('3 files, no import cycle');
    expect(r.code).toBe(0);
  });

  it('fails on a value cycle and prints it', async () => {
    const root = workspace({
      'packages/a/src/index.ts': "import { b } from './b.ts';\nexport const a = b;\n",
      'packages/a/src/b.ts': "import { c } from './deep/c.ts';\nexport const b = c;\n",
      'packages/a/src/deep/c.ts': "import { a } from '../index.ts';\nexport const c = () => a;\n",
    });
    const r = await check(root);
    expect(r.code).toBe(1);
    expect(r.out).toContain('1 import cycle(s)');
    expect(r.out).toContain(
      'packages/a/src/b.ts -> packages/a/src/deep/c.ts -> packages/a/src/index.ts -> packages/a/src/b.ts',
    );
  });

  it('fails on a cycle made only of type imports, re-exports and import() types', async () => {
    const root = workspace({
      'packages/a/src/x.ts': "import type { Y } from './y.ts';\nexport interface X { y: Y }\n",
      'packages/a/src/y.ts': "export type { Z as Y } from './z.ts';\n",
      'packages/a/src/z.ts': "export interface Z { x: import('./x.ts').X }\n",
    });
    const r = await check(root);
    expect(r.code).toBe(1);
    expect(r.out).toContain('-(type)->');
    expect(r.out).toContain('3 file(s) in one cycle');
  });

  it('fails on a cycle through another workspace package', async () => {
    const root = workspace({
      'packages/low/package.json': manifest('@t/low'),
      'packages/low/src/index.ts': "import { up } from '@t/high';\nexport const low = () => up;\n",
      'packages/high/package.json': manifest('@t/high'),
      'packages/high/src/index.ts': "import { low } from '@t/low';\nexport const up = low;\n",
    });
    const r = await check(root);
    expect(r.code).toBe(1);
    expect(r.out).toContain('packages/high/src/index.ts -> packages/low/src/index.ts');
  });

  it('fails on a file importing itself', async () => {
    const root = workspace({
      'packages/a/src/self.ts': "import type { S } from './self.ts';\nexport type S = { s?: S };\n",
    });
    const r = await check(root);
    expect(r.code).toBe(1);
    expect(r.out).toContain('1 file(s) in one cycle: packages/a/src/self.ts');
  });

  it('fails loudly on a relative import that names no file', async () => {
    const root = workspace({
      'packages/a/src/a.ts': "import { b } from './missing.ts';\nexport const a = b;\n",
    });
    const r = await check(root);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("imports './missing.ts', which resolves to no file");
  });
});
