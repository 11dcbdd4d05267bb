/**
 * The layer rules in biome.json (`noRestrictedImports` per folder, issue 17 "the rules are
 * checked"): system → executors → features → kernel → @troupe/scheduler. The repository's own
 * biome.json lints probe files laid out like the packages in a temporary folder; each probe
 * imports across one boundary, and the test checks which of them Biome refuses.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const biome = join(repo, 'node_modules/.bin/biome');

/** [file the import is in, what it imports, whether the rules refuse it] */
const probes: [string, string, boolean][] = [
  ['runtime/src/kernel/a.ts', '../features/retry/plugin.ts', true],
  ['runtime/src/kernel/a.ts', '../executors/link.ts', true],
  ['runtime/src/kernel/a.ts', '../system/system.ts', true],
  ['runtime/src/kernel/log/a.ts', '../../executors/link.ts', true],
  ['runtime/src/kernel/a.ts', '@troupe/runtime', true],
  ['runtime/src/kernel/a.ts', '@troupe/observability', true],
  ['runtime/src/kernel/a.ts', './cell.ts', false],
  ['runtime/src/kernel/a.ts', '@troupe/scheduler', false],
  ['runtime/src/features/retry/a.ts', '../supervision/plugin.ts', true],
  ['runtime/src/features/retry/a.ts', '../../executors/link.ts', true],
  ['runtime/src/features/retry/a.ts', '../../system/system.ts', true],
  ['runtime/src/features/retry/a.ts', '../../index.ts', true],
  ['runtime/src/features/retry/a.ts', '../../kernel/hooks.ts', false],
  ['runtime/src/features/retry/a.ts', '../../kernel/log/dead-letters.ts', false],
  ['runtime/src/features/retry/a.ts', './state.ts', false],
  ['runtime/src/executors/a.ts', '../system/system.ts', true],
  ['runtime/src/executors/a.ts', '../features/retry/plugin.ts', false],
  ['runtime/src/executors/a.ts', '../kernel/cell.ts', false],
  ['runtime/src/system/a.ts', '../executors/runtime.ts', false],
  ['scheduler/src/a.ts', '@troupe/runtime', true],
  ['scheduler/src/a.ts', '../../runtime/src/kernel/cell.ts', true],
  ['scheduler/src/a.ts', './pool.ts', false],
];

let root = '';
let refused = new Set<string>();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'troupe-rules-'));
  const config = JSON.parse(readFileSync(join(repo, 'biome.json'), 'utf8'));
  delete config.$schema;
  writeFileSync(join(root, 'biome.json'), JSON.stringify(config));
  const files = new Map<string, string[]>();
  for (const [file, spec] of probes) files.set(file, [...(files.get(file) ?? []), spec]);
  for (const [file, specs] of files) {
    const path = join(root, 'packages', file);
    mkdirSync(dirname(path), { recursive: true });
    // One import a line, type-only so that nothing but the rule under test can complain.
    writeFileSync(path, `${specs.map((s, i) => `export type * as m${i} from '${s}';`).join('\n')}\n`);
  }
  const out = await new Promise<string>((resolve) =>
    execFile(biome, ['lint', '--reporter=json', '--max-diagnostics=none', '.'], { cwd: root }, (_e, stdout) =>
      resolve(stdout),
    ),
  );
  const report = JSON.parse(out) as {
    diagnostics: { category: string; location: { path: string; start: { line: number } } }[];
  };
  refused = new Set(
    report.diagnostics
      .filter((d) => d.category === 'lint/style/noRestrictedImports')
      .map((d) => {
        const file = d.location.path.replace(/^packages\//, '');
        return `${file} ${files.get(file)![d.location.start.line - 1]}`;
      }),
  );
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('layer import rules (biome.json)', () => {
  it.each(probes)('%s importing %s: refused %s', (file, spec, expected) => {
    expect(refused.has(`${file} ${spec}`)).toBe(expected);
  });
});
