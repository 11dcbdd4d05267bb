/**
 * Prometheus metrics of a system through prom-client: the caller's
 * `Registry` or a new one, and a handler for `node:http`.
 *
 * 1. Every metric is read when scraped (catalog.ts): counters and gauges
 *    come from `stats()`, `metrics()` and the collector's plain numbers;
 *    nothing is pushed into prom-client per event or per message.
 * 2. The collector subscribes to `system.observe({ sampleRate: 0 })`, which leaves the
 *    runtime's per-message events off: metrics cost the message path
 *    nothing. With `perMessage: true` it subscribes to `events$` instead
 *    (per-message counts by definition and the handler-duration histogram,
 *    at the cost of per-message events; `events.sampleRate` samples them).
 * 3. The metrics are registered as prom-client-shaped objects (`get()`
 *    returns the values), so any prom-client 15 registry takes them.
 * 4. A scrape that fails answers 500 and is reported (an
 *    `observability.metrics-failed` event and a log line); the system runs on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActorSystem } from '@troupe/runtime';
import { ConfigError } from '@troupe/runtime';
import { Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import { errorText, reportFailure } from '../report.ts';
import {
  HANDLER_DURATION,
  type HistogramDef,
  METRICS,
  type MetricDef,
  type ScrapeView,
  scrapeView,
} from './catalog.ts';
import { type CollectorOptions, MetricsCollector } from './collector.ts';
import { checkCollectorOptions } from './options.ts';

export interface PrometheusOptions extends CollectorOptions {
  /** Where to register the metrics; a new `Registry` when absent. */
  readonly registry?: Registry;
}

export interface PrometheusMetrics {
  readonly registry: Registry;
  readonly collector: MetricsCollector;
  /** Serves the registry's text exposition (GET or HEAD) on whatever path it is mounted. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Stops counting and removes the metrics from the registry. */
  close(): void;
}

interface PromValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** A prom-client-shaped metric whose values are read when scraped. */
function scraped(def: MetricDef, view: ScrapeView) {
  const get = async () => ({
    name: def.name,
    help: def.help,
    type: def.kind,
    aggregator: 'sum' as const,
    values: def.read(view).map((s): PromValue => ({ labels: { ...s.labels }, value: s.value })),
  });
  return { name: def.name, help: def.help, type: def.kind, aggregator: 'sum', get, reset() {} };
}

function scrapedHistogram(def: HistogramDef, view: ScrapeView) {
  const get = async () => {
    const values: PromValue[] = [];
    for (const h of def.read(view)) {
      let acc = 0;
      h.buckets.forEach((le, i) => {
        acc += h.counts[i]!;
        values.push({ labels: { ...h.labels, le }, value: acc, metricName: `${def.name}_bucket` });
      });
      values.push({ labels: { ...h.labels, le: '+Inf' }, value: h.count, metricName: `${def.name}_bucket` });
      values.push({ labels: { ...h.labels }, value: h.sum, metricName: `${def.name}_sum` });
      values.push({ labels: { ...h.labels }, value: h.count, metricName: `${def.name}_count` });
    }
    return { name: def.name, help: def.help, type: 'histogram', aggregator: 'sum' as const, values };
  };
  return { name: def.name, help: def.help, type: 'histogram', aggregator: 'sum', get, reset() {} };
}

export function prometheusMetrics(system: ActorSystem, options: PrometheusOptions = {}): PrometheusMetrics {
  checkCollectorOptions(options, 'prometheusMetrics(system, options)', ['registry']);
  const registry = options.registry ?? new Registry();
  if (
    registry === null ||
    typeof registry !== 'object' ||
    typeof (registry as Partial<Registry>).registerMetric !== 'function'
  )
    throw new ConfigError('prometheusMetrics(system, options).registry', 'a prom-client Registry', registry);
  const collector = new MetricsCollector(options);
  const view = scrapeView(collector, system);
  const defs = METRICS.filter((d) => d.perMessage !== true || collector.perMessage);
  const metrics: Array<{ name: string }> = defs.map((d) => scraped(d, view));
  if (collector.perMessage) metrics.push(scrapedHistogram(HANDLER_DURATION, view));
  // Registers all or nothing: a name the registry already holds is a ConfigError before anything is added.
  for (const m of metrics)
    if (registry.getSingleMetric(m.name) !== undefined)
      throw new ConfigError(
        'prometheusMetrics(system, options).registry',
        `a registry without a metric named ${m.name}`,
        'already registered',
      );
  for (const m of metrics) registry.registerMetric(m as never);
  const stream = collector.perMessage ? system.events$ : system.observe({ sampleRate: 0 });
  const sub: Subscription = stream.subscribe((e) => collector.observe(e));

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (e: unknown) => {
        reportFailure(system, 'observability.metrics-failed', `metrics scrape failed: ${errorText(e)}`, {
          error: e,
        });
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`metrics scrape failed: ${errorText(e)}\n`);
      },
    );
  };

  let closed = false;
  return {
    registry,
    collector,
    handler,
    close() {
      if (closed) return;
      closed = true;
      sub.unsubscribe();
      for (const m of metrics) registry.removeSingleMetric(m.name);
    },
  };
}
