/**
 * Routing after a loss: an actor born on the lost executor that had moved
 * elsewhere lives on — reachable from every thread through its holder,
 * not reported to its watchers — while its birth node is gone.
 */
import { isActorStoppedError, isConfigError } from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { balanced, type Harness, start } from './fault-helpers.ts';
import * as F from './fixtures/fault-actors.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('actors born on a lost executor', () => {
  it('keep working where they live, are not reported lost, and stay put', async () => {
    h = await start();
    const { system } = h;
    const moved = await system.spawn(F.worker, { key: 'moved' }, { placement: { executor: 1 } });
    const culprit = await system.spawn(F.worker, { key: 'culprit' }, { placement: { executor: 1 } });
    await system.migrate(moved, { executor: 2 });
    const guardian = await system.spawn(F.guardian, undefined, { placement: { executor: 2 } });
    guardian.tell({ type: 'adopt', key: 'moved', ref: moved });
    guardian.tell({ type: 'adopt', key: 'culprit', ref: culprit });
    await guardian.ask({ type: 'children' });

    culprit.tell({ type: 'spin' });
    const [r] = (await h.next('executor.replaced')) as unknown as { replacement: number }[];

    // Reachable from the main thread (its birth node, the usual rendezvous, is gone).
    moved.tell({ type: 'inc' });
    expect(await moved.ask<number>({ type: 'get' })).toBe(1);
    // Only the actor that lived on the lost executor is reported.
    const failures = await guardian.ask<{ key: string; reason: string }[]>({ type: 'failures' });
    expect(failures).toEqual([expect.objectContaining({ key: 'culprit', reason: 'executor-hung' })]);
    // Its directory entry lived on the lost node: it may no longer move.
    const refused = await system.migrate(moved, { executor: r!.replacement }).then(
      () => 'moved',
      (e: unknown) => (isConfigError(e) ? 'refused' : String(e)),
    );
    expect(refused).toBe('refused');
    expect(await moved.ask<number>({ type: 'get' })).toBe(1);
    // The lost one is gone for every sender.
    const gone = await culprit.ask({ type: 'get' }).then(
      () => 'answered',
      (e: unknown) => (isActorStoppedError(e) ? 'stopped' : String(e)),
    );
    expect(gone).toBe('stopped');
    expect((await balanced(system)).balanced).toBe(true);
  });
});
