/**
 * No value changes silently across threads: a message asked of an actor on an
 * executor and replied back comes back exactly as sent (prototypes, holes,
 * own fields, error parts, Buffers, lastIndex, lone surrogates in error
 * messages), or the ask is refused at send with an UnserializableError naming
 * the path of what could not cross (property, and the shapes one by one).
 */
import {
  type ActorSystem,
  createSystem,
  isUnserializableError,
  type UnserializableError,
} from '@troupe/runtime';
import { findUnserializable } from '@troupe/scheduler';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { differs, hostileValue } from '../packages/scheduler/test/values.ts';
import * as W from './fixtures/wire-actors.ts';

const actors = new URL('./fixtures/wire-actors.ts', import.meta.url);
let system: ActorSystem;
beforeAll(async () => {
  system = await createSystem({ actors, executors: 1 });
});
afterAll(async () => {
  await system.terminateExecutors();
});

async function roundTrip(v: unknown): Promise<{ back?: unknown; error?: UnserializableError }> {
  const echo = await system.spawn(W.echo, undefined, { placement: { executor: 1 } });
  try {
    return { back: await echo.ask(v) };
  } catch (e) {
    expect(isUnserializableError(e)).toBe(true);
    return { error: e as UnserializableError };
  } finally {
    await system.stop(echo);
  }
}

describe('values across threads', () => {
  it('come back exactly, or are refused at send naming the path the check names (property)', async () => {
    await fc.assert(
      fc.asyncProperty(hostileValue(), async (v) => {
        const p = findUnserializable(v, 'message');
        const { back, error } = await roundTrip(v);
        if (p === undefined) {
          expect(error).toBeUndefined();
          expect(differs(v, back)).toBeUndefined();
        } else expect(error?.context).toMatchObject({ path: p.path, found: p.found });
      }),
      { numRuns: 150 },
    );
  });

  it('carry errors with own fields, Buffers and RegExp lastIndex faithfully', async () => {
    const re = /b+/g;
    re.exec('abbc');
    const v = {
      e: Object.assign(new Error('bad \uD800 input'), { code: 'E_INPUT' }),
      b: Buffer.from('bytes'),
      re,
    };
    const { back } = await roundTrip(v);
    expect(differs(v, back)).toBeUndefined();
    const b = back as typeof v;
    expect(b.e.code).toBe('E_INPUT');
    expect(b.e.message).toBe('bad \uD800 input');
    expect(Buffer.isBuffer(b.b)).toBe(true);
    expect(b.re.lastIndex).toBe(3);
  });

  it('refuse lone surrogates, null prototypes, array holes and named array properties, naming the path', async () => {
    const cases: Array<[unknown, string, string]> = [
      ['a\uD800b', 'message', 'string with a lone surrogate'],
      [{ d: Object.create(null) }, 'message.d', 'object with a null prototype'],
      // biome-ignore lint/suspicious/noSparseArray: the hole is the point
      [{ xs: [1, , 3] }, 'message.xs[1]', 'hole (an empty array slot)'],
      [{ xs: Object.assign([1], { tag: 'x' }) }, 'message.xs.tag', 'named property of an array'],
    ];
    for (const [v, path, found] of cases) {
      const { error } = await roundTrip(v);
      expect(error?.context).toMatchObject({ path, found });
    }
  });
});
