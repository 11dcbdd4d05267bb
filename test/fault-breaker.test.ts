/**
 * The restart circuit breaker: a definition whose actors keep taking
 * executors down is quarantined (its actors stopped, its spawns refused)
 * instead of costing executor after executor. Also the fault options'
 * validation.
 */
import { createSystem, isActorStoppedError, isConfigError } from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { actors, type Harness, start } from './fault-helpers.ts';
import * as F from './fixtures/fault-actors.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (isActorStoppedError(e) ? (e.context as { reason: string }).reason : String(e)),
  );

describe('restart circuit breaker', () => {
  it('quarantines a definition after maxLosses executor losses within the window', async () => {
    h = await start({ restartBreaker: { maxLosses: 2, windowMs: 60_000 } });
    const { system } = h;
    const bystander = await system.spawn(F.repeatOffender, undefined, { placement: { executor: 2 } });
    const first = await system.spawn(F.repeatOffender, undefined, { placement: { executor: 1 } });
    first.tell({ type: 'spin' });
    const [r1] = (await h.next('executor.replaced')) as unknown as { replacement: number }[];
    // Its restart lands on the replacement and hangs that one too.
    const second = await system.spawn(F.repeatOffender, undefined, {
      placement: { executor: r1!.replacement },
    });
    second.tell({ type: 'spin' });
    const [opened] = (await h.next('executor.circuit-opened')) as unknown as Record<string, unknown>[];
    expect(opened!.def).toBe('repeat-offender');
    expect(opened!.losses).toBe(2);
    await h.next('executor.replaced', 2);

    // No third executor is fed to it: spawns are refused, the survivors' instances are stopped.
    await expect(reasonOf(system.spawn(F.repeatOffender, undefined))).resolves.toBe('circuit-open');
    await expect(reasonOf(bystander.ask({ type: 'get' }))).resolves.toMatch(/circuit-open|stopped/);
    // Other definitions are unaffected.
    const w = await system.spawn(F.worker, { key: 'ok' });
    w.tell({ type: 'inc' });
    expect(await w.ask<number>({ type: 'get' })).toBe(1);
    const m = system.metrics().faults!;
    expect(m.hung).toBe(2);
    expect(m.replaced).toBe(2);
    expect(m.quarantined).toEqual(['repeat-offender']);
  });
});

describe('fault options', () => {
  it.each([
    [{ hangTimeoutMs: 0 }, 'options.hangTimeoutMs'],
    [{ hangTimeoutMs: 'soon' }, 'options.hangTimeoutMs'],
    [{ watchdogIntervalMs: -1 }, 'options.watchdogIntervalMs'],
    [{ resourceLimits: { maxOldGenerationSizeMb: 0 } }, 'options.resourceLimits.maxOldGenerationSizeMb'],
    [{ resourceLimits: { heap: 1 } }, 'options.resourceLimits.heap'],
    [{ restartBreaker: { maxLosses: 0 } }, 'options.restartBreaker.maxLosses'],
    [{ restartBreaker: { windowMs: Number.NaN } }, 'options.restartBreaker.windowMs'],
  ])('%j is a ConfigError naming %s', async (bad, path) => {
    const e = await createSystem({ actors, executors: 1, ...(bad as object) }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isConfigError(e)).toBe(true);
    expect((e as { context: { path: string } }).context.path).toBe(path);
  });
});
