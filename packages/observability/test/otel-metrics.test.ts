/**
 * The metrics through an OpenTelemetry MeterProvider (the SDK's, collected
 * by a reader the test drives): same numbers as the system's, the messaging
 * conventions' names, microsecond bucket advice, and a provider that throws.
 */

import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import { DURATION_BUCKETS } from '@troupe/observability';
import { otelMetrics, SCHEMA_URL } from '@troupe/observability/otel';
import { type AnyTroupeEvent, createSystem } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { Worker } from './fixtures/metrics-actors.ts';

const actors = new URL('./fixtures/metrics-actors.ts', import.meta.url);

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

async function collect(reader: TestReader) {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === '@troupe/observability')!;
  return { scope, byName: new Map(scope.metrics.map((m) => [m.descriptor.name, m])) };
}

describe('otelMetrics', () => {
  it('observes counters and gauges at collection, records handler durations as messaging.process.duration', async () => {
    const system = await createSystem({ actors, deadLetters: { log: false } });
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const m = otelMetrics(system, { meterProvider: provider, perMessage: true });
    const a = await system.spawn(Worker, undefined);
    for (let i = 0; i < 7; i++) a.tell({ type: 'work' });
    expect(await a.ask({ type: 'count' })).toBe(7);
    const { scope, byName } = await collect(reader);
    expect(scope.scope.schemaUrl).toBe(SCHEMA_URL);
    const point = (name: string) => byName.get(name)!.dataPoints as DataPoint<number>[];
    expect(point('troupe.messages.processed')[0]!.value).toBe(system.stats().processed);
    expect(point('troupe.actors.spawned')[0]).toMatchObject({
      attributes: { 'troupe.definition': 'obs-worker' },
      value: 1,
    });
    const consumed = point('messaging.client.consumed.messages').find(
      (p) =>
        p.attributes['troupe.outcome'] === undefined &&
        p.attributes['messaging.troupe.outcome'] === 'processed',
    )!;
    expect(consumed).toMatchObject({
      attributes: { 'messaging.system': 'troupe', 'messaging.destination.name': 'obs-worker' },
      value: 8,
    });
    const h = byName.get('messaging.process.duration')!;
    expect(h.descriptor.unit).toBe('s');
    const hp = h.dataPoints[0] as DataPoint<Histogram>;
    expect(hp.attributes).toMatchObject({
      'messaging.system': 'troupe',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'obs-worker',
    });
    expect(hp.value.count).toBe(8);
    expect(hp.value.buckets.boundaries).toEqual([...DURATION_BUCKETS]);
    m.close();
    await provider.shutdown();
    await system.shutdown();
  });

  it('a provider that throws: an event and a log line; the actors keep running', async () => {
    const lines: string[] = [];
    const system = await createSystem({ actors, logger: { warn: (l: string) => lines.push(l) } });
    const events: AnyTroupeEvent[] = [];
    system.observe({ sampleRate: 0 }).subscribe((e) => events.push(e));
    const m = otelMetrics(system, {
      meterProvider: {
        getMeter() {
          throw new Error('provider down');
        },
      },
    });
    expect(events.find((e) => e.type === 'observability.metrics-failed')).toBeDefined();
    expect(lines.some((l) => /meter provider threw: Error: provider down/.test(l))).toBe(true);
    const a = await system.spawn(Worker, undefined);
    a.tell({ type: 'work' });
    expect(await a.ask({ type: 'count' })).toBe(1);
    m.close();
    await system.shutdown();
  });
});
