/**
 * The codec carries what the portability check accepts exactly, and the check
 * refuses exactly what the codec would change: a value crosses as itself or
 * not at all (property over plain data mixed with hostile shapes).
 */
import { decode, encode, findUnserializable } from '@troupe/scheduler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { differs, hostileValue } from './values.ts';

const roundTrip = <T>(v: T): T => decode<T>(encode(v));

describe('codec', () => {
  it('a value crosses exactly when the check accepts it, and the check refuses what would change (property)', () => {
    fc.assert(
      fc.property(hostileValue(), (v) => {
        const p = findUnserializable(v, 'value');
        let d: string | undefined;
        try {
          d = differs(v, roundTrip(v));
        } catch (e) {
          d = `the codec threw ${String(e)}`;
        }
        if (p === undefined) expect(d).toBeUndefined();
        else expect(d, `refused (${p.path}: ${p.found}) but crossed exactly`).toBeDefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('an error keeps its class, message, stack, code, own fields and cause chain', () => {
    const root = Object.assign(new RangeError('disk \uD800 full'), { code: 'ENOSPC', errno: -28 });
    const e = Object.assign(new Error('write failed', { cause: root }), { context: { file: 'a.log' } });
    const back = roundTrip(e);
    expect(back).toBeInstanceOf(Error);
    expect(back.stack).toBe(e.stack);
    expect(back.message).toBe('write failed');
    expect(back.context).toEqual({ file: 'a.log' });
    expect(Object.keys(back)).toEqual(['context']);
    const cause = back.cause as RangeError & { code: string; errno: number };
    expect(cause).toBeInstanceOf(RangeError);
    expect(cause.message).toBe('disk \uD800 full');
    expect(cause.stack).toBe(root.stack);
    expect([cause.code, cause.errno]).toEqual(['ENOSPC', -28]);
    expect(Object.hasOwn(cause, 'cause')).toBe(false);
    // An explicit `cause: undefined` stays an own property.
    expect(Object.hasOwn(roundTrip(new Error('u', { cause: undefined })), 'cause')).toBe(true);
    const agg = roundTrip(new AggregateError([new TypeError('t')], 'both'));
    expect(agg).toBeInstanceOf(AggregateError);
    expect(agg.errors[0]).toBeInstanceOf(TypeError);
  });

  it('a Buffer comes back a Buffer, a RegExp keeps its lastIndex', () => {
    const b = roundTrip({ b: Buffer.from('héllo'), u: new Uint8Array([1, 2]) });
    expect(Buffer.isBuffer(b.b)).toBe(true);
    expect(b.b.toString()).toBe('héllo');
    expect(Buffer.isBuffer(b.u)).toBe(false);
    const r = /a+/g;
    r.exec('xaay');
    expect(roundTrip(r).lastIndex).toBe(3);
  });
});
