import { findUnserializable, MAX_DEPTH } from '@troupe/scheduler';
import { describe, expect, it } from 'vitest';

class Socket {
  fd = 3;
}

describe('findUnserializable', () => {
  it('accepts primitives, flat and nested plain values, and built-ins', () => {
    for (const v of [
      1,
      'x',
      null,
      undefined,
      true,
      10n,
      { type: 'inc' },
      Object.freeze({ type: 'inc', n: 1, s: 'a', u: undefined, z: null }),
      [1, 'a', { b: [new Date(0), new Map([[1, new Set([2])]])] }],
      { bytes: new Uint8Array(2), re: /x/, err: new Error('e'), buf: Buffer.from('b') },
      { s: 'pair 😀 is well formed', [`k😀`]: 1 },
    ])
      expect(findUnserializable(v)).toBeUndefined();
  });

  it('names the path of a function, symbol or class instance, at the top or deep inside', () => {
    expect(findUnserializable(() => 1, 'msg')).toEqual({ path: 'msg', found: 'function' });
    expect(findUnserializable(Symbol('s'), 'msg')).toEqual({ path: 'msg', found: 'symbol' });
    expect(findUnserializable({ type: 'x', cb: () => 1 }, 'msg')).toEqual({
      path: 'msg.cb',
      found: 'function',
    });
    expect(findUnserializable({ a: { b: [0, new Socket()] } }, 'state')).toEqual({
      path: 'state.a.b[1]',
      found: 'class Socket',
    });
    expect(findUnserializable(new Map([['k', { p: Promise.resolve() }]]), 'm')).toEqual({
      path: 'm<value 0>.p',
      found: 'class Promise',
    });
  });

  it('keeps cycles and lets the caller accept its own classes', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    expect(findUnserializable(a)).toBeUndefined();
    expect(findUnserializable({ s: new Socket() }, 'v', (o) => o instanceof Socket)).toBeUndefined();
  });

  const nest = (n: number, make: (v: unknown) => unknown = (v) => ({ a: v })): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < n; i++) v = make(v);
    return v;
  };

  it(`refuses nesting deeper than MAX_DEPTH (${MAX_DEPTH}) levels, naming the limit, without recursing`, () => {
    expect(findUnserializable(nest(MAX_DEPTH), 'm')).toBeUndefined();
    expect(
      findUnserializable(
        nest(MAX_DEPTH, (v) => [v]),
        'm',
      ),
    ).toBeUndefined();
    const p = findUnserializable(nest(MAX_DEPTH + 1), 'm');
    expect(p).toEqual({
      path: `m${'.a'.repeat(MAX_DEPTH)}`,
      found: `value nested deeper than ${MAX_DEPTH} levels`,
      limit: MAX_DEPTH,
    });
    // Far deeper than any stack: the check itself does not recurse.
    expect(
      findUnserializable(
        nest(100_000, (v) => new Map([[0, v]])),
        'm',
      )?.limit,
    ).toBe(MAX_DEPTH);
    expect(
      findUnserializable(
        nest(100_000, (v) => [v]),
        'm',
      )?.limit,
    ).toBe(MAX_DEPTH);
    // An error counts two levels: its record and its fields.
    let e: Error = new Error('root');
    for (let i = 1; i < MAX_DEPTH / 2; i++) e = new Error(`level ${i}`, { cause: e });
    expect(findUnserializable(e, 'e')).toBeUndefined();
    expect(findUnserializable(new Error('one more', { cause: e }), 'e')?.limit).toBe(MAX_DEPTH);
  });

  it('names what msgpackr would change silently: lone surrogates, null prototypes, array holes and named properties', () => {
    expect(findUnserializable('a\uD800b', 'm')).toEqual({ path: 'm', found: 'string with a lone surrogate' });
    expect(findUnserializable({ type: 'x', s: 'a\uDC00' }, 'm')).toEqual({
      path: 'm.s',
      found: 'string with a lone surrogate',
    });
    expect(findUnserializable({ a: { ['k\uD800']: 1 } }, 'm')).toEqual({
      path: 'm.a["k\\ud800"]',
      found: 'key with a lone surrogate',
    });
    expect(findUnserializable(new Map([['x', ['\uDBFF']]]), 'm')?.path).toBe('m<value 0>[0]');
    expect(findUnserializable({ d: Object.create(null) }, 'm')).toEqual({
      path: 'm.d',
      found: 'object with a null prototype',
    });
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(findUnserializable({ xs: [1, , 3] }, 'm')).toEqual({
      path: 'm.xs[1]',
      found: 'hole (an empty array slot)',
    });
    expect(findUnserializable({ xs: Object.assign([1, 2], { extra: true }) }, 'm')).toEqual({
      path: 'm.xs.extra',
      found: 'named property of an array',
    });
  });

  it('checks the parts of an error (fields, cause, errors), refuses a cycle through one and an unknown error class', () => {
    const e = Object.assign(new Error('x', { cause: { conn: new Socket() } }), { code: 'E_X' });
    expect(findUnserializable({ e }, 'm')).toEqual({ path: 'm.e.cause.conn', found: 'class Socket' });
    const f = Object.assign(new TypeError('y'), { retry: () => 1 });
    expect(findUnserializable(f, 'm')).toEqual({ path: 'm.retry', found: 'function' });
    expect(findUnserializable(new AggregateError([new Error('a'), Symbol('s')]), 'm')?.path).toBe(
      'm.errors[1]',
    );
    const c = new Error('c');
    c.cause = { back: [c] };
    expect(findUnserializable(c, 'm')).toEqual({ path: 'm.cause.back[0]', found: 'cycle through an error' });
    // The same error twice, not inside itself, crosses as one object.
    const shared = new Error('shared');
    expect(findUnserializable({ a: shared, b: [shared] }, 'm')).toBeUndefined();
    class DbError extends Error {}
    expect(findUnserializable({ e: new DbError('z') }, 'm')).toEqual({ path: 'm.e', found: 'class DbError' });
    expect(findUnserializable({ e: new DbError('z') }, 'm', undefined, { anyError: true })).toBeUndefined();
  });

  it('never throws: a throwing getter or a revoked proxy is a problem at its path', () => {
    const fickle = {
      get seq(): number {
        throw new Error('no seq today');
      },
    };
    expect(findUnserializable(fickle, 'm')).toEqual({
      path: 'm.seq',
      found: 'getter or proxy that threw (Error: no seq today)',
    });
    expect(findUnserializable({ a: [{ b: fickle }] }, 'm')?.path).toBe('m.a[0].b.seq');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(findUnserializable({ p: proxy }, 'm')?.path).toBe('m.p');
    expect(findUnserializable(proxy, 'm')?.path).toBe('m');
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw Object.assign(Object.create(null), { toString: 1 });
        },
      },
    );
    expect(findUnserializable([hostile], 'm')?.found).toMatch(/^getter or proxy that threw/);
  });
});
