/**
 * The name table against a Map model (random claim/release/get sequences,
 * short, long and non-ASCII names, a small capacity so tombstones, rebuilds
 * and the full error all happen), lock recovery, and real threads racing for
 * the same names on one buffer: each name has exactly one winner.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NameTable, NameTableFullError } from '../src/names.ts';

const NAMES = [
  'a',
  'b',
  'c1',
  'counter',
  '',
  'ünïcødé-名前',
  'x'.repeat(32), // exactly the inline limit
  'x'.repeat(33), // one past it: digest
  'y'.repeat(100),
  `${'y'.repeat(99)}z`, // long names differing only at the end
  '名'.repeat(11), // 33 UTF-8 bytes
  'd',
];

/** `drop` releases with the holder's id (a plain `release` mostly names someone else). */
type Op = { op: 'claim' | 'release' | 'drop' | 'get'; name: string; id: number };

const opArb: fc.Arbitrary<Op> = fc.record({
  op: fc.constantFrom('claim', 'claim', 'release', 'drop', 'drop', 'get'),
  name: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NAMES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  ),
  id: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(2 ** 40 + 1025)),
});

describe('NameTable', () => {
  it('agrees with a Map model over random claim/release/get sequences', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(opArb, { maxLength: 300 }), (cap, ops) => {
        const t = new NameTable({ node: 0, maxNames: cap });
        const model = new Map<string, number>();
        for (const { op, name, id } of ops) {
          if (op === 'claim') {
            const held = model.get(name);
            if (held !== undefined) expect(t.claim(name, id)).toBe(held === id ? true : held);
            else if (model.size >= cap) expect(() => t.claim(name, id)).toThrow(NameTableFullError);
            else {
              expect(t.claim(name, id)).toBe(true);
              model.set(name, id);
            }
          } else if (op === 'release' || op === 'drop') {
            const who = op === 'drop' ? (model.get(name) ?? id) : id;
            const mine = model.get(name) === who;
            expect(t.release(name, who)).toBe(mine);
            if (mine) model.delete(name);
          } else expect(t.get(name)).toBe(model.get(name));
          expect(t.size).toBe(model.size);
        }
        for (const n of NAMES) expect(t.get(n)).toBe(model.get(n));
      }),
      { numRuns: 300 },
    );
  });

  it('reuses tombstones and rebuilds: endless claim/release churn never fills a small table', () => {
    const t = new NameTable({ node: 0, maxNames: 4 });
    expect(t.claim('keep', 7)).toBe(true);
    for (let i = 0; i < 10_000; i++) {
      const name = `n${i}${i % 3 === 0 ? 'z'.repeat(40) : ''}`;
      expect(t.claim(name, i)).toBe(true);
      expect(t.get(name)).toBe(i);
      expect(t.release(name, i)).toBe(true);
    }
    expect(t.get('keep')).toBe(7);
    expect(t.size).toBe(1);
  });

  it('a tombstone in the middle of a probe chain hides no name behind it', () => {
    // 12 names in 32 slots: several share probe chains; freeing every other one leaves
    // tombstones in front of live names, which a claim must look past.
    const t = new NameTable({ node: 0, maxNames: 12 });
    const names = Array.from({ length: 12 }, (_, i) => `n${i}`);
    for (const [i, n] of names.entries()) expect(t.claim(n, i + 1)).toBe(true);
    names.forEach((n, i) => {
      if (i % 2 === 0) expect(t.release(n, i + 1)).toBe(true);
    });
    names.forEach((n, i) => {
      if (i % 2 === 1) {
        expect(t.get(n)).toBe(i + 1);
        expect(t.claim(n, 100)).toBe(i + 1);
      }
    });
    expect(t.size).toBe(6);
  });

  it('throws NameTableFullError naming the capacity when full, and frees room on release', () => {
    const t = new NameTable({ node: 0, maxNames: 3 });
    for (const n of ['a', 'b', 'c']) expect(t.claim(n, 1)).toBe(true);
    let err: unknown;
    try {
      t.claim('d', 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NameTableFullError);
    expect(err).toMatchObject({ claimed: 'd', capacity: 3, name: 'NameTableFullError' });
    expect(t.claim('a', 1)).toBe(true); // held names still answer at capacity
    expect(t.release('b', 1)).toBe(true);
    expect(t.claim('d', 1)).toBe(true);
  });

  it('only the holder releases; releaseWhere frees the names of matching ids', () => {
    const t = new NameTable({ node: 0, maxNames: 8 });
    t.claim('a', 1025);
    t.claim('b', 2049);
    t.claim('c', 1026);
    expect(t.release('a', 2049)).toBe(false);
    expect(t.get('a')).toBe(1025);
    expect(t.releaseWhere((id) => id % 1024 === 1)).toBe(2);
    expect([t.get('a'), t.get('b'), t.get('c')]).toEqual([undefined, undefined, 1026]);
  });

  it('maps the same buffer from another instance (what a worker thread does)', () => {
    const a = new NameTable({ node: 0, maxNames: 8 });
    const b = new NameTable({ node: 1, buffer: a.buffer });
    expect(a.claim('x', 5)).toBe(true);
    expect(b.claim('x', 6)).toBe(5);
    expect(b.capacity).toBe(8);
  });

  it('breakLock frees a lock held by a given node only, and the table works on', () => {
    const t = new NameTable({ node: 0, maxNames: 8 });
    t.claim('x', 5);
    const words = new Int32Array(t.buffer);
    Atomics.store(words, 0, 3 + 1); // node 3 died holding the lock
    expect(t.breakLock(2)).toBe(false);
    expect(t.breakLock(3)).toBe(true);
    expect(t.claim('y', 6)).toBe(true);
    expect(t.get('x')).toBe(5);
    expect(t.size).toBe(2);
  });

  it('real threads racing for the same names: exactly one winner each, churn included', async () => {
    const THREADS = 4;
    const SHARED = 3000;
    const t = new NameTable({ node: 0, maxNames: 3100 });
    const start = new Int32Array(new SharedArrayBuffer(4));
    const tsxPkg = createRequire(import.meta.url).resolve('tsx/package.json');
    const tsxApi = pathToFileURL(join(dirname(tsxPkg), 'dist/esm/api/index.mjs')).href;
    const names = new URL('../src/names.ts', import.meta.url).href;
    // Each worker waits for the start flag, then claims every shared name in the same order (so
    // threads meet on the same name), with churn on private names every few claims, so rebuilds
    // run while others claim.
    const code = `
      const { parentPort, workerData: d } = require('node:worker_threads');
      import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(names)}); })
        .then(({ NameTable }) => {
          const t = new NameTable({ node: d.node, buffer: d.buffer });
          parentPort.postMessage('ready');
          Atomics.wait(d.start, 0, 0);
          const seen = [];
          for (let k = 0; k < d.shared; k++) {
            const name = 'shared-' + k + (k % 4 === 0 ? '-'.repeat(40) : '');
            const r = t.claim(name, d.node * 1e12);
            seen.push([name, r === true ? d.node * 1e12 : r]);
            if (k % 8 !== 0) continue;
            const mine = 'churn-' + d.node + '-' + k;
            t.claim(mine, d.node);
            t.release(mine, d.node);
          }
          parentPort.postMessage(seen);
        })
        .catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));`;
    const results = await Promise.all(
      Array.from({ length: THREADS }, (_, i) => {
        const w = new Worker(code, {
          eval: true,
          workerData: { node: i + 1, buffer: t.buffer, start, shared: SHARED },
        });
        return {
          ready: new Promise<void>((r) => w.once('message', () => r())),
          done: new Promise<[string, number][]>((resolve, reject) => {
            let n = 0;
            w.on('message', (m) => {
              if (n++ === 0) return; // 'ready'
              void w.terminate();
              if (m.error) reject(new Error(m.error));
              else resolve(m);
            });
            w.on('error', reject);
          }),
        };
      }),
    ).then(async (ws) => {
      await Promise.all(ws.map((w) => w.ready));
      Atomics.store(start, 0, 1);
      Atomics.notify(start, 0);
      return Promise.all(ws.map((w) => w.done));
    });
    const winners = new Map<string, Set<number>>();
    for (const seen of results) {
      expect(seen).toHaveLength(SHARED);
      for (const [name, holder] of seen) {
        let s = winners.get(name);
        if (s === undefined) winners.set(name, (s = new Set()));
        s.add(holder);
      }
    }
    expect(winners.size).toBe(SHARED);
    for (const [name, holders] of winners) {
      expect(holders.size).toBe(1); // every thread saw the same holder: one winner
      expect(t.get(name)).toBe([...holders][0]);
    }
    expect(t.size).toBe(SHARED); // every churn name was released
  });
});
