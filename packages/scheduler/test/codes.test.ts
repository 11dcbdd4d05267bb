import { describe, expect, it } from 'vitest';
import * as codes from '../src/codes.ts';
import { CODE_RANGES, REQUEST_NAMES } from '../src/codes.ts';

type Owner = keyof typeof CODE_RANGES;

/** Every numeric code the module exports, by name. */
const all: [string, number][] = Object.entries(codes as Record<string, unknown>).flatMap(([n, v]) =>
  typeof v === 'number' ? [[n, v] as [string, number]] : [],
);

/** The owner a code's name says it belongs to. */
function ownerOf(name: string): Owner {
  if (name.startsWith('W_')) return 'wire';
  if (name.startsWith('K_')) return 'items';
  if (name.startsWith('REQ_')) return 'requests';
  if (name.startsWith('OP_') || name.startsWith('F_DL_')) return 'deadlock';
  const frames: Record<string, Owner> = {
    F_SETTLE: 'migration',
    F_SNAPSHOT: 'migration',
    F_ARRIVED: 'migration',
    F_FENCE: 'migration',
    F_GONE: 'migration',
    F_SYNC: 'migration',
    F_SYNCED: 'migration',
    F_STEAL: 'stealing',
    F_STEAL_REPLY: 'stealing',
    F_REQ: 'control',
    F_EVENT: 'control',
    F_DEADLETTER: 'control',
    F_NAME: 'control',
    F_FORWARDING: 'control',
    F_LOG: 'logs',
  };
  const o = frames[name];
  if (o === undefined) throw new Error(`no owner known for ${name}: add it to this table`);
  return o;
}

describe('the code space', () => {
  it('holds every code of every owner', () => {
    const prefixes = new Set(all.map(([n]) => n.split('_')[0]));
    expect([...prefixes].sort()).toEqual(['F', 'K', 'OP', 'REQ', 'W']);
    const owners = new Set(all.map(([n]) => ownerOf(n)));
    expect([...owners].sort()).toEqual(Object.keys(CODE_RANGES).sort());
  });

  it('gives each code one number, one msgpack byte (below 128), in its owner range', () => {
    const seen = new Map<number, string>();
    for (const [name, code] of all) {
      expect(Number.isInteger(code), name).toBe(true);
      expect(code, name).toBeGreaterThanOrEqual(0);
      expect(code, name).toBeLessThan(128);
      expect(seen.get(code), `${name} reuses ${code}`).toBeUndefined();
      seen.set(code, name);
      const [first, last] = CODE_RANGES[ownerOf(name)];
      expect(code, `${name} in ${ownerOf(name)}`).toBeGreaterThanOrEqual(first);
      expect(code, `${name} in ${ownerOf(name)}`).toBeLessThanOrEqual(last);
    }
  });

  it('has ranges that do not overlap', () => {
    const ranges = Object.values(CODE_RANGES)
      .map(([a, b]) => [a, b] as const)
      .sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThan(ranges[i - 1]![1]);
    expect(ranges.at(-1)![1]).toBeLessThan(128);
  });

  it('keeps the batch tokens of the hot path where they were (the bytes of a tell do not change)', () => {
    expect([
      codes.W_DEF,
      codes.W_TELL,
      codes.W_TELL_FWD,
      codes.W_ROUTE,
      codes.W_FRAME,
      codes.W_TELLS,
    ]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(codes.W_RESET).toBe(6);
  });

  it('names every request operation (a timeout says which request it waited for)', () => {
    const reqs = all.filter(([n]) => n.startsWith('REQ_'));
    expect(Object.keys(REQUEST_NAMES).map(Number).sort()).toEqual(reqs.map(([, c]) => c).sort());
    const names = Object.values(REQUEST_NAMES);
    expect(new Set(names).size).toBe(names.length);
  });
});
