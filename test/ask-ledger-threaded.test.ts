/**
 * The ask ledger on executors' main side: an ask to an actor on another
 * thread is filed (exported id, the link's ask map) until it settles, and
 * settling — by reply or by timeout — takes it out. Sizes, not heap-and-hope:
 * 2000 settled asks leave nothing, before and after shutdown.
 */
import { type ActorSystem, createSystem, isAskTimeoutError } from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import type { ThreadedRuntime } from '../packages/runtime/src/executors/runtime.ts';
import { Echo, Silent } from './fixtures/memory-actors.ts';

const actors = new URL('./fixtures/memory-actors.ts', import.meta.url);
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

const ledger = (s: ActorSystem) => ({
  exported: s.host.exportedCount,
  tracked: (s.runtime as ThreadedRuntime).link.asks!.size,
});

describe('ask ledger (2 executors)', () => {
  it('asks that time out leave nothing behind, before and after shutdown', async () => {
    system = await createSystem({ actors, executors: 2 });
    const silent = await system.spawn(Silent, undefined);
    const outcomes = await Promise.all(
      Array.from({ length: 2000 }, () => silent.ask('ping', { timeoutMs: 50 }).catch((e: unknown) => e)),
    );
    expect(outcomes.every(isAskTimeoutError)).toBe(true);
    expect(ledger(system)).toEqual({ exported: 0, tracked: 0 });
    await system.shutdown();
    expect(ledger(system)).toEqual({ exported: 0, tracked: 0 });
  });

  it('answered asks leave nothing behind; pending ones are filed until they settle', async () => {
    system = await createSystem({ actors, executors: 2 });
    const echo = await system.spawn(Echo, undefined);
    const pending = Array.from({ length: 2000 }, () => echo.ask<number>('ping', { timeoutMs: 30_000 }));
    // Filed as they are sent, until their replies come back.
    expect(ledger(system)).toEqual({ exported: 2000, tracked: 2000 });
    const replies = await Promise.all(pending);
    expect(replies.at(-1)).toBe(2000);
    expect(ledger(system)).toEqual({ exported: 0, tracked: 0 });
  });
});
