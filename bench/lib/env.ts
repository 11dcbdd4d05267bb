/**
 * The machine a result came from: every JSON result and the markdown table
 * carry it, so figures are never compared across machines by accident.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface BenchEnv {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly cpuModel: string;
  readonly cores: number;
  /** CPU lists per NUMA node, e.g. ["0-1"]; one group on most machines. */
  readonly numaGroups: string[];
  readonly totalMemGb: number;
  readonly commit: string;
  readonly date: string;
  readonly versions: Record<string, string>;
  /** 1/5/15-minute load averages when the run started: a busy machine makes every figure noisier. */
  readonly loadAverage: number[];
}

function numaGroups(): string[] {
  try {
    const dir = '/sys/devices/system/node';
    return readdirSync(dir)
      .filter((d) => /^node\d+$/.test(d))
      .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
      .map((d) => readFileSync(`${dir}/${d}/cpulist`, 'utf8').trim());
  } catch {
    return [`0-${os.cpus().length - 1}`];
  }
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages'], { encoding: 'utf8' });
    return dirty.trim() === '' ? sha : `${sha}+dirty`;
  } catch {
    return 'unknown';
  }
}

const require = createRequire(import.meta.url);

/** A dependency's version, also for packages whose `exports` hide package.json (piscina). */
export function packageVersion(name: string): string {
  try {
    let dir = path.dirname(require.resolve(name));
    for (;;) {
      const f = path.join(dir, 'package.json');
      if (existsSync(f)) {
        const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version: string };
        if (pkg.name === name) return pkg.version;
      }
      const up = path.dirname(dir);
      if (up === dir) return 'unknown';
      dir = up;
    }
  } catch {
    return 'not installed';
  }
}

export function collectEnv(extra: Record<string, string>): BenchEnv {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    numaGroups: numaGroups(),
    totalMemGb: Math.round(os.totalmem() / 2 ** 30),
    commit: gitCommit(),
    date: new Date().toISOString(),
    versions: {
      troupe: packageVersion('@troupe/runtime'),
      xstate: packageVersion('xstate'),
      piscina: packageVersion('piscina'),
      ...extra,
    },
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
