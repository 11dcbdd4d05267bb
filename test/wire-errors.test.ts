/**
 * Errors keep what they are across threads: an ask answered with a failure on
 * an executor rejects on the main thread with an ActorFailedError whose cause
 * chain (classes, messages, stacks from where they were thrown, codes, own
 * fields) is the one the handler threw; a part that cannot cross is an
 * UnserializableError naming its path, the rest of the error intact. Events
 * carry their errors the same way.
 */
import {
  ActorFailedError,
  type ActorSystem,
  type AnyTroupeEvent,
  createSystem,
  isActorFailedError,
  isUnserializableError,
} from '@troupe/runtime';
import { afterEach, expect, it } from 'vitest';
import * as W from './fixtures/wire-actors.ts';

const actors = new URL('./fixtures/wire-actors.ts', import.meta.url);
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

type Coded = Error & { code?: unknown; errno?: unknown; context?: unknown; conn?: unknown };

it('an ActorFailedError from an executor keeps its class, stack and the cause chain with codes and fields', async () => {
  const sys = await createSystem({ actors, executors: 1 });
  system = sys;
  const f = await sys.spawn(W.failing, undefined, { placement: { executor: 1 } });
  const err = (await f.ask({ type: 'fail' }).catch((e: unknown) => e)) as ActorFailedError;
  expect(err).toBeInstanceOf(ActorFailedError);
  expect(isActorFailedError(err)).toBe(true);
  expect(err.context.target.id).toBe(f.id);
  expect(err.stack?.split('\n')[0]).toBe(`ActorFailedError: ${err.message}`);
  expect(err.stack).not.toContain('msgpackr');
  const cause = err.cause as Coded;
  expect(cause).toBeInstanceOf(TypeError);
  expect(cause.message).toBe('cannot write the journal');
  expect(cause.code).toBe('E_JOURNAL');
  expect(cause.context).toEqual({ file: 'journal.log' });
  // The stack of where it was thrown, on the executor: the fixture, not the decoder.
  expect(cause.stack?.split('\n')[1]).toContain('wire-actors.ts');
  const root = cause.cause as Coded;
  expect(root).toBeInstanceOf(RangeError);
  expect([root.message, root.code, root.errno]).toEqual(['disk full', 'ENOSPC', -28]);
  expect(root.stack?.split('\n')[1]).toContain('wire-actors.ts');
  expect(Object.hasOwn(root, 'cause')).toBe(false);
});

it('a part of an error that cannot cross is an UnserializableError naming its path; the rest arrives intact', async () => {
  const sys = await createSystem({ actors, executors: 1 });
  system = sys;
  const f = await sys.spawn(W.failing, undefined, { placement: { executor: 1 } });
  const err = (await f.ask({ type: 'fail', unportable: true }).catch((e: unknown) => e)) as ActorFailedError;
  expect(isActorFailedError(err)).toBe(true);
  const root = (err.cause as Coded).cause as Coded;
  expect([root.message, root.code]).toEqual(['disk full', 'ENOSPC']);
  expect(isUnserializableError(root.conn)).toBe(true);
  expect((root.conn as { context: unknown }).context).toEqual({
    actor: undefined,
    path: 'reply.cause.cause.conn',
    found: 'class Socket',
  });
  // The actor is still there.
  expect(await f.ask({ type: 'ping' })).toBe('pong');
});

it("an executor's actor.failed event carries the error with its code, stack and cause", async () => {
  const sys = await createSystem({ actors, executors: 1 });
  system = sys;
  const failed: AnyTroupeEvent[] = [];
  sys.events$.subscribe((e) => {
    if (e.type === 'actor.failed') failed.push(e);
  });
  await sys.syncStats(); // a round trip behind the subscription: executors forward events from here on
  const f = await sys.spawn(W.failing, undefined, { placement: { executor: 1 } });
  f.tell({ type: 'fail' });
  await expect.poll(() => failed.length).toBe(1);
  const e = (failed[0] as { error: Coded }).error;
  expect(e).toBeInstanceOf(TypeError);
  expect(e.code).toBe('E_JOURNAL');
  expect(e.stack?.split('\n')[1]).toContain('wire-actors.ts');
  expect((e.cause as Coded).code).toBe('ENOSPC');
});

it('an error replied as a value crosses exactly, or the ask is refused with an UnserializableError', async () => {
  const sys = await createSystem({ actors, executors: 1 });
  system = sys;
  const r = await sys.spawn(W.relay, undefined, { placement: { executor: 1 } });
  const back = await r.ask({ type: 'make', kind: 'error', to: null, ask: true });
  expect(back).toBeInstanceOf(RangeError);
  expect(back).toMatchObject({ message: 'bad', code: 'E_BAD', stack: 'RangeError: bad (fixed stack)' });
  const err = await r.ask({ type: 'make', kind: 'errorCycle', to: null, ask: true }).catch((e: unknown) => e);
  expect(isUnserializableError(err)).toBe(true);
  expect((err as { context: unknown }).context).toMatchObject({
    path: 'reply.cause.back',
    found: 'cycle through an error',
  });
});
