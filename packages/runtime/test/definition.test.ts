import { defineActor, isActorDefinition } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { definitionsOf } from '../src/kernel/definition.ts';
import { pathOf } from './helpers.ts';

const ok = { init: () => 0, receive: (s: number) => s };

describe('defineActor', () => {
  it('builds a frozen definition with defaults', () => {
    const d = defineActor('def.ok', ok);
    expect(d).toMatchObject({ kind: 'troupe.actor-definition', name: 'def.ok', pinned: false });
    expect(Object.isFrozen(d)).toBe(true);
    expect(isActorDefinition(d)).toBe(true);
    expect(isActorDefinition({ name: 'x' })).toBe(false);
  });

  it('takes pinned, throughput and mailbox from the behavior or the options', () => {
    expect(defineActor('a', { ...ok, pinned: true }).pinned).toBe(true);
    expect(defineActor('a', ok, { pinned: true }).pinned).toBe(true);
    expect(defineActor('a', ok, { throughput: 3 }).throughput).toBe(3);
    expect(defineActor('a', { ...ok, mailbox: { capacity: 2 } }).mailbox).toEqual({ capacity: 2 });
  });

  it.each([
    ['', ok, undefined, 'defineActor(name)'],
    [5, ok, undefined, 'defineActor(name)'],
    ['x', null, undefined, 'defineActor("x", behavior)'],
    ['x', { receive: ok.receive }, undefined, 'defineActor("x").init'],
    ['x', { init: ok.init }, undefined, 'defineActor("x").receive'],
    ['x', { ...ok, onStart: 1 }, undefined, 'defineActor("x").onStart'],
    ['x', { ...ok, onStop: 'no' }, undefined, 'defineActor("x").onStop'],
    ['x', { ...ok, onTerminated: {} }, undefined, 'defineActor("x").onTerminated'],
    ['x', { ...ok, toValue: 1 }, undefined, 'defineActor("x").toValue'],
    ['x', { ...ok, fromValue: 1 }, undefined, 'defineActor("x").fromValue'],
    ['x', ok, { pinned: 'yes' }, 'defineActor("x").pinned'],
    ['x', ok, { throughput: 0 }, 'defineActor("x").throughput'],
    ['x', ok, { throughput: 1.5 }, 'defineActor("x").throughput'],
  ])('rejects name %j / behavior / options %j with a ConfigError at %s', (name, behavior, options, path) => {
    expect(pathOf(() => defineActor(name as never, behavior as never, options as never))).toBe(path);
  });

  it('definitionsOf picks the definitions out of a module namespace', () => {
    const a = defineActor('a', ok);
    const b = defineActor('b', ok);
    expect(definitionsOf({ a, b, other: 1, fn: () => 0 })).toEqual([a, b]);
  });
});
