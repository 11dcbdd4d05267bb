/**
 * One bad message never takes innocent ones with it, nor a thread, nor the
 * process: a value nested deeper than MAX_DEPTH is refused alone at send, with
 * an UnserializableError naming the limit, whatever batch it was in; a reply
 * too deep rejects its ask; a deep tell between executors is dead-lettered
 * where it was sent and its dead letter still reaches deadLetters$; `tell`
 * never throws, however deep the value or whatever its getters do.
 */
import {
  type ActorSystem,
  createSystem,
  type DeadLetter,
  isUnserializableError,
  type UnserializableError,
} from '@troupe/runtime';
import { MAX_DEPTH } from '@troupe/scheduler';
import { afterEach, expect, it } from 'vitest';
import * as W from './fixtures/wire-actors.ts';

const actors = new URL('./fixtures/wire-actors.ts', import.meta.url);
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

async function start(executors: number): Promise<{ sys: ActorSystem; dead: DeadLetter[] }> {
  const sys = await createSystem({ actors, executors });
  system = sys;
  const dead: DeadLetter[] = [];
  sys.deadLetters$.subscribe((d) => dead.push(d));
  await sys.syncStats(); // a round trip behind the subscription: executors forward dead letters from here on
  return { sys, dead };
}

async function accounted(sys: ActorSystem): Promise<void> {
  await sys.syncStats();
  const st = sys.stats();
  expect(st.inFlight).toBe(0);
  expect(st.sent).toBe(st.processed + st.deadLettered.total);
}

it('a message too deep is refused alone: the 200 others and an ask of its batch are delivered', async () => {
  const { sys, dead } = await start(1);
  const echo = await sys.spawn(W.echo, undefined, { placement: { executor: 1 } });
  // One synchronous block: one batch.
  for (let i = 0; i < 100; i++) echo.tell({ i });
  const answered = echo.ask({ q: 1 });
  const deep = W.nest(1500);
  echo.tell(deep);
  const deepAsk = echo.ask(W.nest(1500)).catch((e: unknown) => e);
  for (let i = 100; i < 200; i++) echo.tell({ i });
  expect(await answered).toEqual({ q: 1 });
  const err = (await deepAsk) as UnserializableError;
  expect(isUnserializableError(err)).toBe(true);
  expect(err.context).toMatchObject({ path: `message${'.a'.repeat(MAX_DEPTH)}`, limit: MAX_DEPTH });
  expect(err.message).toContain(`deeper than ${MAX_DEPTH} levels`);
  expect(await echo.ask('count')).toBe(201);
  expect(dead.map((d) => [d.reason, d.message === deep])).toEqual([
    ['unserializable', true],
    ['unserializable', false],
  ]);
  await accounted(sys);
});

it('a reply too deep rejects its ask with an UnserializableError; the process and the actor live on', async () => {
  const { sys } = await start(1);
  const f = await sys.spawn(W.failing, undefined, { placement: { executor: 1 } });
  const err = (await f.ask({ type: 'deep', n: 4000 }).catch((e: unknown) => e)) as UnserializableError;
  expect(isUnserializableError(err)).toBe(true);
  expect(err.context).toMatchObject({ path: `reply${'.a'.repeat(MAX_DEPTH)}`, limit: MAX_DEPTH });
  expect(await f.ask({ type: 'ping' })).toBe('pong');
  // Just under the limit crosses.
  expect(await f.ask({ type: 'deep', n: MAX_DEPTH - 1 })).toEqual(W.nest(MAX_DEPTH - 1));
});

it('a deep tell between executors is dead-lettered at its sender, which lives on; deadLetters$ sees every one', async () => {
  const { sys, dead } = await start(2);
  const events: string[] = [];
  sys.events$.subscribe((e) => events.push(e.type));
  await sys.syncStats();
  const echo = await sys.spawn(W.echo, undefined, { placement: { executor: 2 } });
  const sender = await sys.spawn(W.deepSender, undefined, { placement: { executor: 1 } });
  expect(await sender.ask({ to: echo, depth: 6000, times: 3 })).toBe(3);
  expect(await sender.ask({ to: echo, depth: 2, times: 2 })).toBe(2);
  // The sender's tells and the main thread's asks are two pairs: no order between them.
  await expect.poll(() => echo.ask('count')).toBe(2);
  await sys.syncStats();
  expect(sys.stats().deadLettered.byReason.unserializable).toBe(3);
  await expect.poll(() => dead.length).toBe(3);
  for (const d of dead) {
    expect(d.reason).toBe('unserializable');
    // The message could not cross to the main thread either: it is described there.
    expect(d.message).toMatch(
      new RegExp(`^\\[unserializable: value nested deeper than ${MAX_DEPTH} levels at message\\.a`),
    );
  }
  expect(events).not.toContain('executor.lost');
  expect(sys.metrics().executors).toHaveLength(2);
  await accounted(sys);
});

it('tell never throws: a value 100,000 deep or a throwing getter is dead-lettered and counted', async () => {
  const { sys, dead } = await start(1);
  const echo = await sys.spawn(W.echo, undefined, { placement: { executor: 1 } });
  const deep = W.nest(100_000);
  const hostile = {
    type: 'hostile',
    get field(): number {
      throw new Error('no field for you');
    },
  };
  expect(() => echo.tell(deep)).not.toThrow();
  expect(() => echo.tell(hostile)).not.toThrow();
  const err = (await echo.ask(hostile).catch((e: unknown) => e)) as UnserializableError;
  expect(isUnserializableError(err)).toBe(true);
  expect(err.context).toMatchObject({
    path: 'message.field',
    found: 'getter or proxy that threw (Error: no field for you)',
  });
  expect(dead.map((d) => d.reason)).toEqual(['unserializable', 'unserializable', 'unserializable']);
  expect(dead[0]!.message).toBe(deep);
  expect(await echo.ask('count')).toBe(0);
  await accounted(sys);
});

it('state that fails to encode although it passed the check refuses the migration with an UnserializableError', async () => {
  const { sys } = await start(2);
  const ref = await sys.spawn(W.fickleState, undefined, { placement: { executor: 1 } });
  const err = (await sys.migrate(ref, { executor: 2 }).catch((e: unknown) => e)) as UnserializableError;
  expect(isUnserializableError(err)).toBe(true);
  expect(err.context).toMatchObject({
    path: 'state',
    found: expect.stringContaining('state changed while it was encoded'),
  });
  // The actor stayed where it was, and serves.
  expect(await ref.ask('ping')).toBe('pong');
});
