/**
 * A batch that passes the portability check at send but still fails to
 * encode (here a getter that throws on its second read) loses only what
 * cannot be encoded: the batch is taken apart (executors/unsendable.ts), the
 * fickle message alone is dead-lettered `unserializable` (an ask rejects with
 * an UnserializableError, not as if its live receiver had stopped), every
 * other tell and ask of the batch, a run of tells to one actor (W_TELLS)
 * included, is delivered in order, and the executor keeps serving.
 */
import {
  type ActorSystem,
  createSystem,
  type DeadLetter,
  isUnserializableError,
  type UnserializableError,
} from '@troupe/runtime';
import { afterEach, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

/** A message whose `seq` can be read once (by the check), then throws (the encoding). */
function fickle(from: string): unknown {
  let reads = 0;
  return {
    type: 'rec',
    from,
    get seq(): number {
      reads++;
      if (reads > 1) throw new Error('changed between the check and the encoding');
      return 0;
    },
  };
}

it('only the message of a batch that fails to encode is dead-lettered; the rest of the batch is delivered', async () => {
  const sys = await createSystem({ actors, executors: 1 });
  system = sys;
  const rec = await sys.spawn(A.recorder, undefined, { placement: { executor: 1 } });
  const dead: DeadLetter[] = [];
  sys.deadLetters$.subscribe((d) => dead.push(d));
  const events: Array<{ type: string; resent?: unknown }> = [];
  sys.events$.subscribe((e) => events.push(e as { type: string }));
  await sys.syncStats();
  // One synchronous block: one batch, a run of three tells to rec, the fickle one, an ask, two more.
  for (let seq = 1; seq <= 3; seq++) rec.tell({ type: 'rec', from: 'main', seq });
  rec.tell(fickle('fickle') as never);
  const where = rec.ask<number>({ type: 'where' });
  const fickleAsk = rec.ask(fickle('asked') as never).catch((e: unknown) => e);
  for (let seq = 4; seq <= 5; seq++) rec.tell({ type: 'rec', from: 'main', seq });
  expect(typeof (await where)).toBe('number');
  const err = (await fickleAsk) as UnserializableError;
  expect(isUnserializableError(err)).toBe(true);
  expect(err.context.found).toContain('changed between the check and the encoding');
  await expect.poll(() => dead.length).toBe(2);
  expect(dead.map((d) => [d.reason, (d.message as { from: string }).from])).toEqual([
    ['unserializable', 'fickle'],
    ['unserializable', 'asked'],
  ]);
  const s = await rec.ask<{ seen: Record<string, number[]>; count: number }>({ type: 'dump' });
  expect(s.seen).toEqual({ main: [1, 2, 3, 4, 5] });
  expect(events.filter((e) => e.type === 'system.batch-unencodable').map((e) => e.resent)).toEqual([true]);
  // The channel still works, and nothing was counted twice or lost.
  rec.tell({ type: 'rec', from: 'main', seq: 6 });
  expect((await rec.ask<{ count: number }>({ type: 'dump' })).count).toBe(6);
  await sys.syncStats();
  const st = sys.stats();
  expect(st.inFlight).toBe(0);
  expect(st.sent).toBe(st.processed + st.deadLettered.total);
  expect(st.deadLettered.byReason.unserializable).toBe(2);
});
