import {
  ActorFailedError,
  ActorStoppedError,
  AskTimeoutError,
  ConfigError,
  DeadlockError,
  DuplicateNameError,
  InitFailedError,
  isActorFailedError,
  isActorStoppedError,
  isAskTimeoutError,
  isConfigError,
  isDeadlockError,
  isDuplicateNameError,
  isInitFailedError,
  isMailboxFullError,
  isShutdownError,
  isTroupeError,
  isUnknownActorError,
  isUnserializableError,
  MailboxFullError,
  ShutdownError,
  TroupeError,
  UnknownActorError,
  UnserializableError,
} from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { formatValue } from '../src/kernel/errors.ts';

const actor = { id: 1024, name: 'a', def: 'd' };
const anon = { id: 2048, def: 'd' };

const cases = [
  [
    new ConfigError('x.y', 'a number', 'z'),
    'config',
    isConfigError,
    { path: 'x.y', expected: 'a number', got: 'z' },
  ],
  [
    new AskTimeoutError(actor, 100, 'get'),
    'ask-timeout',
    isAskTimeoutError,
    { target: actor, timeoutMs: 100 },
  ],
  [new ActorStoppedError(anon), 'actor-stopped', isActorStoppedError, { target: anon, reason: 'stopped' }],
  [new ActorFailedError(actor, new Error('x')), 'actor-failed', isActorFailedError, { target: actor }],
  [new MailboxFullError(actor, 3), 'mailbox-full', isMailboxFullError, { target: actor, capacity: 3 }],
  [
    new DeadlockError([{ actor, waitingForMs: 5 }], 'fail-ask'),
    'deadlock',
    isDeadlockError,
    { strategy: 'fail-ask' },
  ],
  [new ShutdownError('spawn'), 'shutdown', isShutdownError, { operation: 'spawn' }],
  [new UnknownActorError('nope', ['a', 'b']), 'unknown-actor', isUnknownActorError, { definition: 'nope' }],
  [
    new DuplicateNameError('a', actor),
    'duplicate-name',
    isDuplicateNameError,
    { name: 'a', existing: actor },
  ],
  [
    new UnserializableError('state', 'state.f', 'function', actor),
    'unserializable',
    isUnserializableError,
    { path: 'state.f' },
  ],
  [new InitFailedError(actor, 'boom'), 'init-failed', isInitFailedError, { actor }],
] as const;

describe('typed errors', () => {
  it.each(cases)('%s has its code, guard and structured context', (err, code, guard, context) => {
    expect(err).toBeInstanceOf(TroupeError);
    expect(err).toBeInstanceOf(Error);
    expect(isTroupeError(err)).toBe(true);
    expect(err.code).toBe(code);
    expect(err.name).toBe(err.constructor.name);
    expect(err.context).toMatchObject(context);
    expect((guard as (e: unknown) => boolean)(err)).toBe(true);
    for (const [, , other] of cases)
      if (other !== guard) expect((other as (e: unknown) => boolean)(err)).toBe(false);
  });

  it('guards reject plain errors and non-errors', () => {
    expect(isConfigError(new Error('config'))).toBe(false);
    expect(isTroupeError({ code: 'config' })).toBe(false);
  });

  it('messages name the actor (by name, else by id) and keep the cause', () => {
    expect(new AskTimeoutError(actor, 100).message).toBe('ask to "a" (d) timed out after 100 ms');
    expect(new ActorStoppedError(anon, 'failed').message).toBe('actor #2048 (d) is stopped (failed)');
    const cause = new RangeError('bad');
    expect(new ActorFailedError(actor, cause).cause).toBe(cause);
    expect(new UnknownActorError('x', []).message).toContain('(none)');
  });

  it('formatValue renders values compactly and never throws', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatValue('s')).toBe('"s"');
    expect(formatValue(new TypeError('t'))).toBe('TypeError: t');
    expect(formatValue(function named() {})).toBe('function named');
    expect(formatValue(undefined)).toBe('undefined');
    expect(formatValue({ a: 'x'.repeat(200) })).toHaveLength(80);
    expect(formatValue(cyclic)).toBe('[object Object]');
  });
});
