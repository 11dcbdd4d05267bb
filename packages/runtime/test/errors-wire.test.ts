/**
 * portableError: an error that is what is reported (a rejection, a failure)
 * crosses even when a part of it cannot; each such part becomes an
 * UnserializableError naming its path, the rest comes back exactly.
 */
import { decode, encode, findUnserializable } from '@troupe/scheduler';
import { describe, expect, it } from 'vitest';
import { MAX_CAUSES, portableError } from '../src/executors/errors-wire.ts';
import { ActorFailedError, isActorFailedError, isUnserializableError } from '../src/kernel/errors.ts';

const cross = (e: Error): Error => decode<Error>(encode(portableError(e, 'reply')));
const ctx = (e: unknown) => (e as { context: Record<string, unknown> }).context;

describe('portableError', () => {
  it('returns a portable error itself, and rebuilds Troupe errors as their own class', () => {
    const e = new ActorFailedError({ id: 1, def: 'x' }, Object.assign(new Error('boom'), { code: 'E_B' }));
    expect(portableError(e, 'reply')).toBe(e);
    const back = cross(e) as ActorFailedError;
    expect(isActorFailedError(back)).toBe(true);
    expect(back.stack).toBe(e.stack);
    expect((back.cause as { code: string }).code).toBe('E_B');
  });

  it('replaces only the part that cannot cross, naming its path', () => {
    class Socket {}
    const root = Object.assign(new Error('root'), { conn: new Socket(), code: 'E_R' });
    const back = cross(new ActorFailedError({ id: 1, def: 'x' }, root));
    const r = back.cause as Error & { conn: unknown; code: string };
    expect([r.message, r.code, r.stack]).toEqual(['root', 'E_R', root.stack]);
    expect(isUnserializableError(r.conn)).toBe(true);
    expect(ctx(r.conn)).toMatchObject({ path: 'reply.cause.conn', found: 'class Socket' });
  });

  it('an error of a class nobody registered crosses as its nearest registered ancestor, name kept', () => {
    class DbError extends TypeError {
      override name = 'DbError';
    }
    const back = cross(new DbError('no db'));
    expect(back).toBeInstanceOf(TypeError);
    expect([back.name, back.message]).toEqual(['DbError', 'no db']);
  });

  it('a cycle back to an error of the chain, even through plain objects, is cut there', () => {
    const e = new Error('me');
    e.cause = { back: e };
    const viaPlain = cross(new ActorFailedError({ id: 1, def: 'x' }, e));
    const c = viaPlain.cause as Error;
    expect(c.message).toBe('me');
    expect(isUnserializableError(c.cause)).toBe(true);
    expect(ctx(c.cause)).toMatchObject({ path: 'reply.cause.cause.back', found: 'cycle through an error' });
    const self = new Error('self');
    self.cause = self;
    const s = cross(self);
    expect(ctx(s.cause)).toMatchObject({ path: 'reply.cause', found: 'cycle through an error' });
    // What was sent is portable now: nothing in it changes silently.
    expect(
      findUnserializable(portableError(e, 'reply'), 'reply', undefined, { anyError: true }),
    ).toBeUndefined();
  });

  it(`a cause chain longer than MAX_CAUSES (${MAX_CAUSES}) that cannot cross as it is ends in an UnserializableError`, () => {
    let e: Error = Object.assign(new Error('root'), { cb: () => 1 });
    for (let i = 1; i < MAX_CAUSES + 5; i++) e = new Error(`level ${i}`, { cause: e });
    let back: unknown = cross(e);
    let n = 0;
    while (back instanceof Error && !isUnserializableError(back)) {
      back = back.cause;
      n++;
    }
    expect(n).toBe(MAX_CAUSES);
    expect(ctx(back).found).toBe(`error chain longer than ${MAX_CAUSES}`);
  });
});
