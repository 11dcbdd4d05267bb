import { findUnserializable } from '@troupe/scheduler';
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
      Object.create(null),
      [1, 'a', { b: [new Date(0), new Map([[1, new Set([2])]])] }],
      { bytes: new Uint8Array(2), re: /x/, err: new Error('e') },
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
});
