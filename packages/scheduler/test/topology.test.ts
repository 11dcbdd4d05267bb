import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assignGroups,
  parseCpuList,
  parseTopologySpec,
  readCpuQuota,
  readTopology,
  TopologyError,
} from '../src/topology.ts';

/** Builds a fake filesystem root with the given files. */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'troupe-topo-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

const twoNodes = {
  'sys/devices/system/node/node0/cpulist': '0-3\n',
  'sys/devices/system/node/node1/cpulist': '4-7\n',
  'sys/devices/system/node/online': '0-1\n',
};

describe('cpulist and spec parsing', () => {
  it('parses ranges and singles', () => {
    expect(parseCpuList('0-3,8,10-11\n', 'x')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('', 'x')).toEqual([]);
  });
  it('parses TROUPE_TOPOLOGY in both forms', () => {
    expect(parseTopologySpec('0-1,2-3')).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(parseTopologySpec('0,2;1,3')).toEqual([
      [0, 2],
      [1, 3],
    ]);
  });
  it.each(['', 'a-b', '3-1', '0-1,1-2', '0,,1'])('rejects %j with the path named', (spec) => {
    expect(() => parseTopologySpec(spec)).toThrow(TopologyError);
    try {
      parseTopologySpec(spec);
    } catch (e) {
      expect((e as TopologyError).path).toMatch(/^TROUPE_TOPOLOGY/);
    }
  });
});

describe('readTopology', () => {
  it('reads NUMA groups from sysfs and intersects them with the affinity', () => {
    const root = fixture({ ...twoNodes, 'proc/self/status': 'Name:\tnode\nCpus_allowed_list:\t1-2,5\n' });
    const t = readTopology({ root, env: {} });
    expect(t.source).toBe('sysfs');
    expect(t.groups).toEqual([[1, 2], [5]]);
    expect(t.cpus).toBe(3);
    expect(t.executors).toBe(3);
    expect(t.quota).toBeNull();
  });

  it('caps executors by the cgroup v2 quota', () => {
    const root = fixture({
      ...twoNodes,
      'proc/self/cgroup': '0::/app.slice\n',
      'sys/fs/cgroup/app.slice/cpu.max': '250000 100000\n',
    });
    const t = readTopology({ root, env: {} });
    expect(t.quota).toBe(2.5);
    expect(t.executors).toBe(2);
    expect(t.cpus).toBe(8);
  });

  it('reads cgroup v2 "max" as unlimited', () => {
    const root = fixture({ 'proc/self/cgroup': '0::/\n', 'sys/fs/cgroup/cpu.max': 'max 100000\n' });
    expect(readCpuQuota(root)).toBeNull();
  });

  it('caps executors by the cgroup v1 quota and treats -1 as unlimited', () => {
    const v1 = fixture({
      'proc/self/cgroup': '4:memory:/x\n3:cpu,cpuacct:/docker/abc\n',
      'sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '150000\n',
      'sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n',
    });
    const t = readTopology({ root: v1, env: {}, parallelism: 4 });
    expect(t.source).toBe('flat');
    expect(t.groups).toEqual([[0, 1, 2, 3]]);
    expect(t.quota).toBe(1.5);
    expect(t.executors).toBe(1);
    const unlimited = fixture({
      'proc/self/cgroup': '1:cpu:/\n',
      'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
      'sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
    });
    expect(readCpuQuota(unlimited)).toBeNull();
  });

  it('falls back to one flat group from the affinity', () => {
    const root = fixture({ 'proc/self/status': 'Cpus_allowed_list:\t0-1\n' });
    const t = readTopology({ root, env: {}, parallelism: 16 });
    expect(t).toMatchObject({ source: 'flat', groups: [[0, 1]], executors: 2 });
  });

  it('prefers the override, then TROUPE_TOPOLOGY, over sysfs', () => {
    const root = fixture(twoNodes);
    expect(readTopology({ root, env: { TROUPE_TOPOLOGY: '0-1,2-3' } })).toMatchObject({
      source: 'env',
      groups: [
        [0, 1],
        [2, 3],
      ],
      executors: 4,
    });
    expect(
      readTopology({ root, env: { TROUPE_TOPOLOGY: '0-1,2-3' }, override: { groups: [[0], [1]] } }),
    ).toMatchObject({ source: 'override', groups: [[0], [1]], executors: 2 });
  });

  it('rejects a bad override naming the field', () => {
    const bad: unknown[] = [[], [[]], [[0], [0]], [[-1]], 'x', [[1.5]]];
    for (const groups of bad) {
      try {
        readTopology({ override: { groups }, env: {} });
        expect.unreachable(`accepted ${JSON.stringify(groups)}`);
      } catch (e) {
        expect(e).toBeInstanceOf(TopologyError);
        expect((e as TopologyError).path).toMatch(/^options\.topology\.groups/);
      }
    }
    expect(() => readTopology({ env: { TROUPE_TOPOLOGY: 'x' } })).toThrow(/TROUPE_TOPOLOGY/);
  });

  it('reads the real machine without failing', () => {
    const t = readTopology({ env: {} });
    expect(t.executors).toBeGreaterThanOrEqual(1);
    expect(t.groups.length).toBeGreaterThanOrEqual(1);
  });
});

describe('assignGroups', () => {
  it('interleaves executors over groups in proportion to their size', () => {
    expect(
      assignGroups(4, {
        groups: [
          [0, 1],
          [2, 3],
        ],
      }),
    ).toEqual([0, 1, 0, 1]);
    expect(
      assignGroups(2, {
        groups: [
          [0, 1],
          [2, 3],
        ],
      }),
    ).toEqual([0, 1]);
    expect(assignGroups(4, { groups: [[0, 1, 2], [3]] })).toEqual([0, 0, 1, 0]);
    expect(assignGroups(3, { groups: [[0]] })).toEqual([0, 0, 0]);
  });
});
