/**
 * Property: a recording replays into the same metrics as the live stream it
 * was made from — whatever the events (lifecycle and per-message, errors,
 * message types past the label cap), gzip or not, in one part or several.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsCollector, record, replay } from '@troupe/observability';
import type { AnyTroupeEvent } from '@troupe/runtime';
import fc from 'fast-check';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'troupe-rec-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const def = fc.constantFrom('a', 'b', 'c');
const actor = fc.record({ id: fc.nat(1000), def });
const at = fc.nat(1e9);
const event: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ type: fc.constant('actor.spawned'), at, actor }),
  fc.record({ type: fc.constant('actor.stopped'), at, actor, reason: fc.constantFrom('normal', 'failed') }),
  fc.record({ type: fc.constant('actor.restarted'), at, actor, reason: fc.constant('failed') }),
  fc.record({
    type: fc.constant('actor.failed'),
    at,
    actor,
    phase: fc.constantFrom('receive', 'init'),
    messageType: fc.string({ maxLength: 6 }),
    error: fc.string().map((m) => new RangeError(m)),
  }),
  fc.record({ type: fc.constant('actor.migrated'), at, actor, reason: fc.constantFrom('steal', 'migrate') }),
  fc.record({
    type: fc.constant('message.dead-lettered'),
    at,
    reason: fc.constantFrom('stopped', 'mailbox-full'),
    messageType: fc.string({ maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('message.sent'),
    at,
    to: actor,
    messageType: fc.string({ maxLength: 4 }),
    ask: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('message.processed'),
    at,
    actor,
    messageType: fc.string({ maxLength: 4 }),
    durationMs: fc.double({ min: 0, max: 5000, noNaN: true }),
  }),
  fc.record({
    type: fc.constant('message.received'),
    at,
    actor,
    messageType: fc.string({ maxLength: 4 }),
    queuedMs: fc.double({ min: 0, max: 100, noNaN: true }),
  }),
  fc.record({
    type: fc.constant('shutdown.phase-completed'),
    at,
    phase: fc.constantFrom('drain', 'flush'),
    durationMs: fc.nat(1000),
  }),
);

describe('record → replay', () => {
  it('gives the same metrics snapshot as the live stream (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(event, { maxLength: 150 }),
        fc.boolean(),
        fc.option(fc.constantFrom(1024, 4096), { nil: undefined }),
        fc.record({
          perMessage: fc.boolean(),
          messageTypes: fc.oneof(fc.boolean(), fc.record({ limit: fc.integer({ min: 1, max: 3 }) })),
        }),
        async (events, gzip, maxBytes, options) => {
          const live = new MetricsCollector(options);
          const source = new Subject<AnyTroupeEvent>();
          source.subscribe((e) => live.observe(e));
          const file = join(dir, `${n++}.ndjson${gzip ? '.gz' : ''}`);
          const rec = record(source, file, maxBytes === undefined ? {} : { maxBytes });
          for (const e of events) source.next(e as unknown as AnyTroupeEvent);
          source.complete();
          const summary = await rec.closed;
          expect(summary).toMatchObject({ events: events.length, dropped: 0, error: null });
          const again = new MetricsCollector(options);
          const back = await lastValueFrom(replay(file).pipe(toArray()));
          for (const e of back) again.observe(e);
          expect(back).toHaveLength(events.length);
          expect(again.snapshot()).toEqual(live.snapshot());
        },
      ),
      { numRuns: 40 },
    );
  });
});
