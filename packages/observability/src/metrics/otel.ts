/**
 * The same metrics (catalog.ts) through an OpenTelemetry `MeterProvider`:
 * the caller's, or the global one.
 *
 * 1. Counters and gauges are observable instruments read in one batch
 *    callback when the SDK collects, from the same sources as Prometheus.
 * 2. The handler duration is `messaging.process.duration` (seconds, the
 *    messaging conventions' name), recorded as per-message events arrive
 *    (only with `perMessage`), with the collector's microsecond buckets as
 *    advice.
 * 3. Attributes: `messaging.system=troupe` and `messaging.destination.name`
 *    (the definition) on the `messaging.*` instruments; `troupe.<label>`
 *    on the others.
 * 4. A provider that throws (getMeter, an instrument, a callback) is
 *    reported (`observability.metrics-failed` and a log line), never thrown
 *    into the runtime; a failing callback is reported once.
 */
import { type Attributes, type MeterProvider, metrics as otelApi } from '@opentelemetry/api';
import type { ActorSystem } from '@troupe/runtime';
import { ConfigError } from '@troupe/runtime';
import { errorText, reportFailure } from '../report.ts';
import { SCHEMA_URL, VERSION } from '../tracing/conventions.ts';
import { DURATION_BUCKETS } from './buckets.ts';
import { HANDLER_DURATION, METRICS, type MetricDef, scrapeView } from './catalog.ts';
import { type CollectorOptions, type Labels, MetricsCollector } from './collector.ts';
import { checkCollectorOptions } from './options.ts';

export interface OtelMetricsOptions extends CollectorOptions {
  /** Default: the global provider (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider;
}

export interface OtelMetrics {
  readonly collector: MetricsCollector;
  /** Stops counting and observing. */
  close(): void;
}

function attributes(def: { otelName: string }, labels: Labels): Attributes {
  if (def.otelName.startsWith('messaging.')) {
    const a: Attributes = { 'messaging.system': 'troupe' };
    for (const [k, v] of Object.entries(labels))
      if (k === 'definition') a['messaging.destination.name'] = v;
      else a[`messaging.troupe.${k === 'message_type' ? 'message.type' : k}`] = v;
    return a;
  }
  const a: Attributes = {};
  for (const [k, v] of Object.entries(labels)) a[`troupe.${k}`] = v;
  return a;
}

export function otelMetrics(system: ActorSystem, options: OtelMetricsOptions = {}): OtelMetrics {
  checkCollectorOptions(options, 'otelMetrics(system, options)', ['meterProvider']);
  const provider = options.meterProvider ?? otelApi.getMeterProvider();
  if (provider === null || typeof provider !== 'object' || typeof provider.getMeter !== 'function')
    throw new ConfigError(
      'otelMetrics(system, options).meterProvider',
      'an OpenTelemetry MeterProvider',
      provider,
    );
  const collector = new MetricsCollector(options);
  const view = scrapeView(collector, system);
  const fail = (what: string, e: unknown) =>
    reportFailure(system, 'observability.metrics-failed', `OpenTelemetry metrics: ${what}: ${errorText(e)}`, {
      error: e,
    });
  let closed = false;
  let unobserve: (() => void) | null = null;
  try {
    const meter = provider.getMeter('@troupe/observability', VERSION, { schemaUrl: SCHEMA_URL });
    const defs = METRICS.filter((d) => d.perMessage !== true || collector.perMessage);
    const instruments = defs.map((d) => {
      const o = { description: d.help, unit: d.unit };
      return {
        d,
        i:
          d.kind === 'counter'
            ? meter.createObservableCounter(d.otelName, o)
            : meter.createObservableGauge(d.otelName, o),
      };
    });
    let reported = false;
    const callback = (result: { observe(i: unknown, v: number, a?: Attributes): void }) => {
      try {
        for (const { d, i } of instruments)
          for (const s of (d as MetricDef).read(view)) result.observe(i, s.value, attributes(d, s.labels));
      } catch (e) {
        if (!reported) fail('reading the system failed', e);
        reported = true;
      }
    };
    const all = instruments.map((x) => x.i);
    meter.addBatchObservableCallback(callback as never, all);
    unobserve = () => meter.removeBatchObservableCallback(callback as never, all);
    if (collector.perMessage) {
      const h = meter.createHistogram(HANDLER_DURATION.otelName, {
        description: HANDLER_DURATION.help,
        unit: HANDLER_DURATION.unit,
        advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
      });
      collector.onDuration((definition, messageType, seconds) => {
        if (closed) return;
        const labels: Record<string, string> = { definition };
        if (messageType !== null) labels.message_type = messageType;
        h.record(seconds, { ...attributes(HANDLER_DURATION, labels), 'messaging.operation.name': 'process' });
      });
    }
  } catch (e) {
    fail('the meter provider threw', e);
  }
  const sub = (collector.perMessage ? system.events$ : system.observe({ sampleRate: 0 })).subscribe((e) => {
    try {
      collector.observe(e);
    } catch (x) {
      fail('recording failed', x);
    }
  });
  return {
    collector,
    close() {
      if (closed) return;
      closed = true;
      sub.unsubscribe();
      try {
        unobserve?.();
      } catch (e) {
        fail('removing the callback failed', e);
      }
    },
  };
}
