/**
 * Topology: which CPUs this process may use, grouped by NUMA node, and how
 * many executors `'auto'` means.
 *
 * Sources, first match wins:
 * 1. `override` (`topology: { groups }` in the system options),
 * 2. env `TROUPE_TOPOLOGY` (`0-1,2-3`: groups separated by `,`, or by `;`
 *    when a group itself is a cpulist such as `0,2;1,3`),
 * 3. sysfs `devices/system/node/node<N>/cpulist`, intersected with the
 *    process affinity (`Cpus_allowed_list` in `/proc/self/status`),
 * 4. one flat group of `availableParallelism()` CPUs.
 *
 * Invariants: every group is non-empty, CPUs are unique across groups, and
 * `executors` (the `'auto'` count) is ≥ 1 and ≤ the usable CPU count, capped
 * by the cgroup CPU quota (v2 `cpu.max`, v1 `cpu.cfs_quota_us / period`).
 * A malformed override or env spec is a ConfigError-shaped `TopologyError`
 * (the runtime rethrows it as its ConfigError) — never a silent fallback.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

export interface Topology {
  /** CPU ids per NUMA group (group index = position). */
  readonly groups: readonly (readonly number[])[];
  /** Usable CPUs (sum of group sizes). */
  readonly cpus: number;
  /** CPU quota from the cgroup, in CPUs (e.g. 1.5), or null when unlimited. */
  readonly quota: number | null;
  /** What `executors: 'auto'` resolves to. */
  readonly executors: number;
  readonly source: 'override' | 'env' | 'sysfs' | 'flat';
}

/** A bad topology spec; `path`, `expected`, `got` mirror the runtime's ConfigError. */
export class TopologyError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly got: unknown,
  ) {
    super(`${path}: expected ${expected}, got ${JSON.stringify(got)}`);
    this.name = 'TopologyError';
  }
}

export interface TopologyOptions {
  /** `topology: { groups }` from the system options. */
  readonly override?: { readonly groups?: unknown } | undefined;
  /** Environment to read `TROUPE_TOPOLOGY` from (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Filesystem root for `/sys`, `/proc` (tests point it at a fixture). */
  readonly root?: string;
  /** CPUs the process may run on when sysfs says nothing (default: os.availableParallelism()). */
  readonly parallelism?: number;
}

/** Parses a Linux cpulist (`0-3,8,10-11`). */
export function parseCpuList(text: string, path: string): number[] {
  const out: number[] = [];
  const s = text.trim();
  if (s === '') return out;
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null) throw new TopologyError(path, 'a cpulist such as "0-3,8"', text);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 65536) throw new TopologyError(path, 'ascending ranges', text);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}

/** Parses `TROUPE_TOPOLOGY`: `0-1,2-3` or `0,2;1,3`. */
export function parseTopologySpec(spec: string, path = 'TROUPE_TOPOLOGY'): number[][] {
  const s = spec.trim();
  if (s === '') throw new TopologyError(path, 'groups such as "0-1,2-3"', spec);
  const parts = s.includes(';') ? s.split(';') : s.split(',');
  const groups = parts.map((p) => parseCpuList(p, path));
  return checkGroups(groups, path);
}

function checkGroups(groups: unknown, path: string): number[][] {
  if (!Array.isArray(groups) || groups.length === 0)
    throw new TopologyError(path, 'a non-empty array of CPU id arrays', groups);
  const seen = new Set<number>();
  const out: number[][] = [];
  groups.forEach((g, i) => {
    if (!Array.isArray(g) || g.length === 0)
      throw new TopologyError(`${path}[${i}]`, 'a non-empty array of CPU ids', g);
    for (const c of g) {
      if (!(Number.isInteger(c) && c >= 0))
        throw new TopologyError(`${path}[${i}]`, 'CPU ids (integers ≥ 0)', g);
      if (seen.has(c)) throw new TopologyError(`${path}[${i}]`, 'CPU ids not used by another group', c);
      seen.add(c);
    }
    out.push([...g]);
  });
  return out;
}

function read(root: string, file: string): string | undefined {
  try {
    return readFileSync(join(root, file), 'utf8');
  } catch {
    return undefined;
  }
}

/** The process affinity from `/proc/self/status`, or undefined when unreadable. */
export function readAffinity(root = '/'): number[] | undefined {
  const status = read(root, 'proc/self/status');
  const m = status === undefined ? null : /^Cpus_allowed_list:\s*(.+)$/m.exec(status);
  return m === null ? undefined : parseCpuList(m[1]!, 'Cpus_allowed_list');
}

/** NUMA groups from sysfs, or undefined when there is no node directory. */
export function readNumaGroups(root = '/'): number[][] | undefined {
  const dir = join(root, 'sys/devices/system/node');
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  const nodes = entries
    .map((e) => /^node(\d+)$/.exec(e))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const groups: number[][] = [];
  for (const n of nodes) {
    const list = read(root, `sys/devices/system/node/node${n}/cpulist`);
    if (list === undefined) continue;
    const cpus = parseCpuList(list, `node${n}/cpulist`);
    if (cpus.length > 0) groups.push(cpus);
  }
  return groups.length > 0 ? groups : undefined;
}

/**
 * The cgroup CPU quota in CPUs, or null when unlimited. Reads the process's
 * own cgroup path from `/proc/self/cgroup` (v2 `0::/path`, v1 `N:cpu,...:/path`)
 * and falls back to the cgroup root (inside a container the namespace root).
 */
export function readCpuQuota(root = '/'): number | null {
  const cg = read(root, 'proc/self/cgroup') ?? '';
  const v2path = /^0::(.*)$/m.exec(cg)?.[1]?.trim();
  const v1path = /^\d+:[^:]*\bcpu\b[^:]*:(.*)$/m.exec(cg)?.[1]?.trim();
  for (const p of uniq([v2path, '/'])) {
    if (p === undefined) continue;
    const max = read(root, join('sys/fs/cgroup', p, 'cpu.max'));
    if (max === undefined) continue;
    const [q, period] = max.trim().split(/\s+/);
    if (q === 'max') return null;
    const quota = Number(q) / Number(period ?? 100000);
    if (Number.isFinite(quota) && quota > 0) return quota;
  }
  for (const base of ['sys/fs/cgroup/cpu', 'sys/fs/cgroup/cpu,cpuacct']) {
    for (const p of uniq([v1path, '/'])) {
      if (p === undefined) continue;
      const q = read(root, join(base, p, 'cpu.cfs_quota_us'));
      const period = read(root, join(base, p, 'cpu.cfs_period_us'));
      if (q === undefined || period === undefined) continue;
      const qn = Number(q.trim());
      if (qn <= 0) return null; // -1: unlimited
      const quota = qn / Number(period.trim());
      if (Number.isFinite(quota) && quota > 0) return quota;
    }
  }
  return null;
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Reads the topology (see the module header for precedence). */
export function readTopology(options: TopologyOptions = {}): Topology {
  const root = options.root ?? '/';
  const quota = readCpuQuota(root);
  const withCount = (groups: number[][], source: Topology['source']): Topology => {
    const cpus = groups.reduce((n, g) => n + g.length, 0);
    const cap = quota === null ? cpus : Math.max(1, Math.floor(quota));
    return { groups, cpus, quota, executors: Math.max(1, Math.min(cpus, cap)), source };
  };
  const o = options.override;
  if (o !== undefined) {
    if (o === null || typeof o !== 'object')
      throw new TopologyError('options.topology', '{ groups: number[][] }', o);
    return withCount(checkGroups(o.groups, 'options.topology.groups'), 'override');
  }
  const env = (options.env ?? process.env).TROUPE_TOPOLOGY;
  if (env !== undefined && env !== '') return withCount(parseTopologySpec(env), 'env');
  const numa = readNumaGroups(root);
  const affinity = readAffinity(root);
  if (numa !== undefined) {
    const allowed = affinity === undefined ? undefined : new Set(affinity);
    const groups = numa
      .map((g) => (allowed === undefined ? g : g.filter((c) => allowed.has(c))))
      .filter((g) => g.length > 0);
    if (groups.length > 0) return withCount(groups, 'sysfs');
  }
  const n = affinity?.length ?? options.parallelism ?? availableParallelism();
  const cpus = affinity ?? Array.from({ length: n }, (_, i) => i);
  return withCount([cpus], 'flat');
}

/**
 * Assigns `n` executors to groups in proportion to group sizes, interleaved
 * (group 0, group 1, group 0, …) so a small pool still spans every group.
 */
export function assignGroups(n: number, topology: Pick<Topology, 'groups'>): number[] {
  const sizes = topology.groups.map((g) => g.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const given = sizes.map(() => 0);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    // The group furthest below its share gets the next executor.
    let best = 0;
    let bestDeficit = -Infinity;
    for (let g = 0; g < sizes.length; g++) {
      const deficit = ((i + 1) * sizes[g]!) / total - given[g]!;
      if (deficit > bestDeficit + 1e-9) {
        best = g;
        bestDeficit = deficit;
      }
    }
    given[best]!++;
    out.push(best);
  }
  return out;
}
