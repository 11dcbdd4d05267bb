/**
 * Cross-thread round trips through a busy executor and through idle ones.
 *
 * An executor that never runs out of ready actors (a drain that lasts its
 * whole time slice, here 60 s) still reads frames sent to it and posts its
 * replies within about a millisecond: a drain that has run INBOX_WAIT_MS
 * reads the batches posted to it, and a long drain posts its own batches
 * every BATCH_WAIT_MS. Without either half, a round trip below waits for
 * the time slice, and the asks time out.
 *
 * An idle executor whose drain posted spins for `idleSpinMs` on the board's
 * count of batches posted to it, and reads an answer in place (spin-then-park).
 */
import { type ActorSystem, createSystem } from '@troupe/runtime';
import { afterEach, expect, it } from 'vitest';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

it('a busy executor answers asks from another executor while its drain goes on', {
  timeout: 60_000,
}, async () => {
  const sys = await createSystem({ actors, executors: 2, yieldMs: 60_000, stealing: false });
  system = sys;
  const busy = { placement: { executor: 1 } } as const;
  const looper = await sys.spawn(A.looper, undefined, busy);
  const target = await sys.spawn(A.where, undefined, busy);
  const relay = await sys.spawn(A.relay, undefined, { placement: { executor: 2 } });
  const busyThread = await target.ask<number>({ type: 'where' });
  looper.tell({ type: 'go' });
  // Each relay is a round trip executor 2 → the busy executor 1 → executor 2 (then main).
  for (let i = 0; i < 20; i++)
    expect(
      await relay.ask<number>({ type: 'relay', to: target, msg: { type: 'where' } }, { timeoutMs: 20_000 }),
    ).toBe(busyThread);
  // The looper ran all along: executor 1 never ran out of work while it answered.
  const first = await looper.ask<number>({ type: 'count' }, { timeoutMs: 20_000 });
  const second = await looper.ask<number>({ type: 'count' }, { timeoutMs: 20_000 });
  expect(second).toBeGreaterThan(first);
  expect(first).toBeGreaterThan(0);
  looper.tell({ type: 'halt' });
  const report = await sys.shutdown({ timeoutMs: 20_000 });
  expect(report.forced).toEqual([]);
});

it('spin-then-park: round trips between idle executors are all answered, whatever idleSpinMs', async () => {
  for (const idleSpinMs of [0, 10]) {
    const sys = await createSystem({ actors, executors: 2, stealing: false, idleSpinMs });
    system = sys;
    const target = await sys.spawn(A.where, undefined, { placement: { executor: 1 } });
    const relay = await sys.spawn(A.relay, undefined, { placement: { executor: 2 } });
    const thread = await target.ask<number>({ type: 'where' });
    // Executor 2 posts an ask and (idleSpinMs 10) spins for the answer, which it reads in place.
    for (let i = 0; i < 200; i++)
      expect(await relay.ask<number>({ type: 'relay', to: target, msg: { type: 'where' } })).toBe(thread);
    await sys.syncStats();
    const st = sys.stats();
    expect(st.sent).toBe(st.processed + st.deadLettered.total);
    expect(st.deadLettered.total).toBe(0);
    await sys.shutdown();
    system = undefined;
  }
});

it('idleSpinMs is validated, naming the option', async () => {
  for (const bad of [-1, 10.5, Number.NaN, '0.2'])
    await expect(createSystem({ actors, executors: 1, idleSpinMs: bad as number })).rejects.toMatchObject({
      code: 'config',
      context: { path: 'options.idleSpinMs' },
    });
});
