/**
 * A batch that passes the portability check at send but still fails to
 * encode (a runtime bug path: here a getter that throws on its second read)
 * must not lose its messages: every tell in it, including a run of tells to
 * one actor (W_TELLS), is dead-lettered `unserializable` and counted, and the
 * executor keeps serving.
 */
import { type ActorSystem, createSystem, type DeadLetter } from '@troupe/runtime';
import { afterEach, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

it('every tell of a batch that fails to encode is dead-lettered unserializable, and counted', async () => {
  const sys = await createSystem({ actors, executors: 1 });
  system = sys;
  const rec = await sys.spawn(A.recorder, undefined, { placement: { executor: 1 } });
  const dead: DeadLetter[] = [];
  sys.deadLetters$.subscribe((d) => dead.push(d));
  await sys.syncStats();
  let reads = 0;
  const fickle = {
    type: 'rec',
    from: 'fickle',
    get seq(): number {
      reads++;
      if (reads > 1) throw new Error('changed between the check and the encoding');
      return 0;
    },
  };
  // One synchronous block: one batch, a run of three tells to rec, then the fickle one.
  for (let seq = 1; seq <= 3; seq++) rec.tell({ type: 'rec', from: 'main', seq });
  rec.tell(fickle as never);
  await expect.poll(() => dead.length).toBe(4);
  expect(dead.every((d) => d.reason === 'unserializable')).toBe(true);
  expect(dead.slice(0, 3).map((d) => (d.message as { seq: number }).seq)).toEqual([1, 2, 3]);
  // The channel still works, and nothing was counted twice or lost.
  rec.tell({ type: 'rec', from: 'main', seq: 4 });
  const s = await rec.ask<{ seen: Record<string, number[]>; count: number }>({ type: 'dump' });
  expect(s.seen.main).toEqual([4]);
  await sys.syncStats();
  const st = sys.stats();
  expect(st.inFlight).toBe(0);
  expect(st.sent).toBe(st.processed + st.deadLettered.total);
  expect(st.deadLettered.byReason.unserializable).toBe(4);
});
