/**
 * Tests that need a program from the system (prometheus, promtool, chromium,
 * tmux…), which `.ci/run` installs with apt-get. Where it is missing the test
 * is skipped loudly — a line on stderr naming the program and why — and
 * under `CI=true` the missing program is a failure, never a silent skip.
 *
 *   const promtool = requireBinary('/usr/bin/promtool', 'checking the /metrics output');
 *   it.skipIf(promtool === null)('…', …)
 */
import { accessSync, constants } from 'node:fs';

/** The program's path when it is installed and executable; null (after saying so) when not. */
export function requireBinary(path: string, why: string): string | null {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    const line = `SKIPPED: ${why} needs ${path}, which is not installed (.ci/run installs it with apt-get)`;
    if (process.env.CI === 'true') throw new Error(`${line}; under CI=true a missing program fails the run`);
    process.stderr.write(`\n*** ${line} ***\n\n`);
    return null;
  }
}
