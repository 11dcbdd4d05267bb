/**
 * Ref definition tables (executors/ref-tables.ts, W_DEF / W_RESET): a channel
 * defines each ref once, and after CHANNEL_REFS_CAP definitions both ends
 * start over, so short-lived actors do not grow them without bound. Every
 * ref must still resolve to its definition across the resets.
 */
import { type ActorSystem, createSystem } from '@troupe/runtime';
import { afterEach, expect, it } from 'vitest';
import { CHANNEL_REFS_CAP } from '../packages/runtime/src/executors/wire.ts';
import * as A from './fixtures/threaded/actors.ts';

const actors = new URL('./fixtures/threaded/actors.ts', import.meta.url);
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

it('short-lived senders past the cap: both ends start over, and every sender still resolves', {
  timeout: 60_000,
}, async () => {
  const sys = await createSystem({ actors, executors: 2, stealing: false, compaction: false });
  system = sys;
  const to = await sys.spawn(A.greeted, undefined, { placement: { executor: 2 } });
  const churner = await sys.spawn(A.churner, undefined, { placement: { executor: 1 } });
  // Each greeter is a new ref on the channel 1 → 2: two resets and part of a third generation.
  const n = 2 * CHANNEL_REFS_CAP + 1_000;
  churner.tell({ type: 'churn', n, to });
  await expect
    .poll(() => to.ask<Record<string, number>>({ type: 'get' }), { timeout: 50_000, interval: 50 })
    .toEqual({ greeter: n });
  await sys.syncStats();
  const st = sys.stats();
  expect(st.deadLettered.total).toBe(0);
  expect(st.sent).toBe(st.processed);
});
