/**
 * The dashboard's model holds bounded state whatever flows in (model/*.ts): any sequence of
 * events — real shapes with random ids, and garbage — leaves the tables within their limits, never
 * throws out of `apply`, and a tick stays small enough to send.
 */
import type { AnyTroupeEvent } from '@troupe/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Model } from '../src/dashboard/model/model.ts';

const actor = fc.record({
  id: fc.integer({ min: 0, max: 5000 }),
  name: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
  def: fc.string({ maxLength: 300 }),
});
const at = fc.integer({ min: 0, max: 1e12 });
const event: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ type: fc.constant('actor.spawned'), at, actor }),
  fc.record({ type: fc.constant('actor.stopped'), at, actor, reason: fc.string({ maxLength: 20 }) }),
  fc.record({
    type: fc.constant('actor.failed'),
    at,
    actor,
    phase: fc.constant('receive'),
    error: fc.record({
      name: fc.string(),
      message: fc.string({ maxLength: 20_000 }),
      stack: fc.string({ maxLength: 20_000 }),
    }),
  }),
  fc.record({ type: fc.constant('message.sent'), at, to: actor, messageType: fc.string({ maxLength: 50 }) }),
  fc.record({ type: fc.constant('message.received'), at, actor, queuedMs: fc.double({ noNaN: false }) }),
  fc.record({ type: fc.constant('message.processed'), at, actor, durationMs: fc.double() }),
  fc.record({ type: fc.string({ maxLength: 40 }), at }),
  fc.anything(),
);

describe('dashboard model', () => {
  it('any event sequence keeps it within its limits and a tick small', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 500, maxLength: 2000 }), (events) => {
        const m = new Model({ maxActors: 100 });
        for (const e of events) m.apply(e as AnyTroupeEvent);
        m.closeSecond(1, null);
        expect(m.actors.rows.size).toBeLessThanOrEqual(100);
        expect(m.actors.stopped.size).toBeLessThanOrEqual(m.actors.stopped.capacity);
        const tick = m.tick(
          { at: 0, totals: m.derivedTotals(), point: null, graph: null, clients: 1, sampling: 1 },
          true,
        );
        expect(JSON.stringify(tick).length).toBeLessThan(4 << 20);
        expect(Object.keys(m.log.types()).length).toBeLessThanOrEqual(129);
        const page = m.actorPage({ sort: 'processed', desc: true, filter: '', offset: 0, limit: 1000 });
        expect(page.rows.length).toBeLessThanOrEqual(100);
      }),
      { numRuns: 20 },
    );
  });
});
