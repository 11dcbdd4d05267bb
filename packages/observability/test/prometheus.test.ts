/**
 * Prometheus metrics of a live system: what `/metrics` says against what the
 * system counted, checked by `promtool` and scraped by a real Prometheus.
 */
import { spawnSync } from 'node:child_process';
import { prometheusMetrics, serveMetrics } from '@troupe/observability';
import {
  type ActorSystem,
  type AnyTroupeEvent,
  ConfigError,
  createSystem,
  type SchedulerMetrics,
} from '@troupe/runtime';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../test/support/require-binary.ts';
import { Idle, Worker } from './fixtures/metrics-actors.ts';
import { startPrometheus } from './support/prometheus-server.ts';

const actors = new URL('./fixtures/metrics-actors.ts', import.meta.url);
const promtool = requireBinary('/usr/bin/promtool', 'checking the /metrics output with promtool');
const prometheus = requireBinary('/usr/bin/prometheus', 'scraping a live system with a real Prometheus');

/** `name{labels} value` lines of an exposition, as [series, value]. */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

function lint(text: string): void {
  if (promtool === null) return;
  const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
  expect(r.status).toBe(0);
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function system(options: Record<string, unknown> = {}): Promise<ActorSystem> {
  const s = await createSystem({ actors, deadLetters: { log: false }, logger: { warn() {} }, ...options });
  cleanups.push(() => s.shutdown().then(() => undefined));
  return s;
}

describe('prometheusMetrics', () => {
  it('exposes exact counts from stats() and lifecycle counts by definition, without turning per-message events on', async () => {
    const s = await system();
    const m = prometheusMetrics(s);
    const srv = await serveMetrics(m, { port: 0 });
    cleanups.push(() => srv.close());
    const a = await s.spawn(Worker, undefined);
    const b = await s.spawn(Worker, undefined);
    const idle = await s.spawn(Idle, undefined);
    for (let i = 0; i < 10; i++) {
      a.tell({ type: 'work' });
      b.tell({ type: 'work' });
    }
    a.tell({ type: 'boom' });
    await a.ask({ type: 'count' }).catch(() => undefined);
    await b.ask({ type: 'count' });
    await s.stop(idle);
    idle.tell('noop'); // a dead letter: stopped
    expect(s.host.events.perMessage).toBe(false);

    const res = await fetch(srv.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    lint(text);
    const v = series(text);
    const stats = s.stats();
    expect(v.get('troupe_messages_sent_total')).toBe(stats.sent);
    expect(v.get('troupe_messages_processed_total')).toBe(stats.processed);
    expect(v.get('troupe_dead_letters_total{reason="stopped"}')).toBe(stats.deadLettered.byReason.stopped);
    expect(v.get('troupe_actors')).toBe(stats.actors);
    expect(v.get('troupe_actors_spawned_total{definition="obs-worker"}')).toBe(2);
    expect(v.get('troupe_actors_spawned_total{definition="obs-idle"}')).toBe(1);
    expect(v.get('troupe_actors_stopped_total{definition="obs-idle"}')).toBe(1);
    expect(v.get('troupe_actors_live{definition="obs-idle"}')).toBe(0);
    expect(v.get('troupe_actor_failures_total{definition="obs-worker",phase="receive"}')).toBe(1);
    // Off by default: per-message series and the histogram.
    expect(text).not.toMatch(/troupe_handler_duration_seconds|troupe_messages_handled_total/);
    // No actor ids or names as labels, ever: only these label names appear.
    const labelNames = new Set([...text.matchAll(/[{,]([a-z_]+)="/g)].map((x) => x[1]));
    expect([...labelNames].sort()).toEqual(['definition', 'phase', 'reason']);
    m.close();
    expect(await m.registry.metrics()).toBe('\n');
  });

  it('per-message metrics on request: counts by definition and outcome, microsecond buckets, message types capped', async () => {
    const s = await system();
    const registry = new Registry();
    const m = prometheusMetrics(s, { registry, perMessage: true, messageTypes: { limit: 1 } });
    expect(m.registry).toBe(registry);
    const a = await s.spawn(Worker, undefined);
    for (let i = 0; i < 5; i++) a.tell({ type: 'work' });
    a.tell({ type: 'boom' });
    await a.ask({ type: 'count' });
    const text = await registry.metrics();
    lint(text);
    const v = series(text);
    // The first type seen keeps its name, the rest are `other`.
    expect(
      v.get('troupe_messages_handled_total{definition="obs-worker",outcome="processed",message_type="work"}'),
    ).toBe(5);
    expect(
      v.get('troupe_messages_handled_total{definition="obs-worker",outcome="failed",message_type="other"}'),
    ).toBe(1);
    expect(
      v.get(
        'troupe_messages_handled_total{definition="obs-worker",outcome="processed",message_type="other"}',
      ),
    ).toBe(1);
    expect(
      v.get('troupe_messages_sent_by_definition_total{definition="obs-worker",message_type="work"}'),
    ).toBe(5);
    const count = v.get('troupe_handler_duration_seconds_count{definition="obs-worker",message_type="work"}');
    expect(count).toBe(5);
    // Buckets from 1 µs: a handler that takes microseconds lands below the millisecond ones.
    expect(
      v.has(
        'troupe_handler_duration_seconds_bucket{definition="obs-worker",message_type="work",le="0.000001"}',
      ),
    ).toBe(true);
    expect(
      v.get('troupe_handler_duration_seconds_bucket{definition="obs-worker",message_type="work",le="+Inf"}'),
    ).toBe(5);
    expect(
      v.get(
        'troupe_handler_duration_seconds_bucket{definition="obs-worker",message_type="work",le="0.001024"}',
      ),
    ).toBe(5);
    m.close();
  });

  it('executors: per-executor utilization, run queue, steals (attempts and successes apart), migrations', async () => {
    const s = await system({ executors: 2 });
    const m = prometheusMetrics(s);
    const a = await s.spawn(Worker, undefined, { placement: { executor: 1 } });
    for (let i = 0; i < 100; i++) a.tell({ type: 'work' });
    await s.migrate(a, { executor: 2 });
    expect(await a.ask({ type: 'count' })).toBe(100);
    await s.syncStats();
    const text = await m.registry.metrics();
    lint(text);
    const v = series(text);
    const sched: SchedulerMetrics = s.metrics();
    for (const e of sched.executors) {
      const l = `{executor="${e.id}",group="${e.group}"}`;
      expect(v.has(`troupe_executor_utilization_ratio${l}`)).toBe(true);
      expect(v.has(`troupe_executor_run_queue_actors${l}`)).toBe(true);
      expect(v.get(`troupe_executor_steal_attempts_total${l}`)).toBe(e.stealAttempts);
      expect(v.get(`troupe_executor_steal_successes_total${l}`)).toBe(e.stealSuccesses);
      expect(v.get(`troupe_executor_migrations_total${l}`)).toBe(e.migrations);
    }
    expect(v.get('troupe_actor_migrations_total{reason="migrate"}')).toBe(1);
    expect(v.get('troupe_executor_faults_total{kind="crashed"}')).toBe(0);
    expect(v.get('troupe_messages_processed_total')).toBe(s.stats().processed);
    m.close();
  }, 60_000);

  it.skipIf(prometheus === null)(
    'a real Prometheus scrapes the system and answers a PromQL query',
    async () => {
      const s = await system();
      const m = prometheusMetrics(s);
      const srv = await serveMetrics(m, { port: 0 });
      cleanups.push(() => srv.close());
      const a = await s.spawn(Worker, undefined);
      for (let i = 0; i < 42; i++) a.tell({ type: 'work' });
      expect(await a.ask({ type: 'count' })).toBe(42);
      const prom = await startPrometheus(prometheus!, srv.url);
      cleanups.push(() => prom.stop());
      // Prometheus scrapes every second: poll its API until the sample is in.
      const query = 'sum by (definition) (troupe_actors_spawned_total)';
      await expect
        .poll(async () => (await prom.query(query))[0]?.metric.definition, { timeout: 20_000, interval: 250 })
        .toBe('obs-worker');
      const processed = await prom.query('troupe_messages_processed_total');
      expect(Number(processed[0]!.value[1])).toBe(s.stats().processed);
      const up = await prom.query('up{job="troupe"}');
      expect(up[0]!.value[1]).toBe('1');
      m.close();
    },
    60_000,
  );

  it('bad input: options are ConfigErrors; a scrape that fails answers 500, is an event and a log line, the system runs on', async () => {
    const lines: string[] = [];
    const s = await createSystem({ actors, logger: { warn: (l: string) => lines.push(l) } });
    cleanups.push(() => s.shutdown().then(() => undefined));
    expect(() => prometheusMetrics(s, { perMesage: true } as never)).toThrow(ConfigError);
    expect(() => prometheusMetrics(s, { perMessage: 'yes' } as never)).toThrow(/perMessage/);
    expect(() => prometheusMetrics(s, { messageTypes: true })).toThrow(/perMessage: true/);
    expect(() => prometheusMetrics(s, { perMessage: true, messageTypes: { limit: 0 } })).toThrow(/limit/);
    expect(() => prometheusMetrics(s, { registry: {} as never })).toThrow(/Registry/);
    const registry = new Registry();
    prometheusMetrics(s, { registry });
    expect(() => prometheusMetrics(s, { registry })).toThrow(/troupe_messages_sent_total/);

    const events: AnyTroupeEvent[] = [];
    s.observe({ sampleRate: 0 }).subscribe((e) => events.push(e));
    const m = prometheusMetrics(s);
    const srv = await serveMetrics(m, { port: 0 });
    cleanups.push(() => srv.close());
    s.stats = () => {
      throw new Error('stats unavailable');
    };
    const res = await fetch(srv.url);
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/stats unavailable/);
    expect(events.find((e) => e.type === 'observability.metrics-failed')).toMatchObject({
      error: { message: 'stats unavailable' },
    });
    expect(lines.some((l) => /metrics scrape failed: Error: stats unavailable/.test(l))).toBe(true);
    delete (s as { stats?: unknown }).stats; // the prototype's again
    const w = await s.spawn(Worker, undefined);
    w.tell({ type: 'work' });
    expect(await w.ask({ type: 'count' })).toBe(1);
    expect((await fetch(srv.url)).status).toBe(200);
    expect((await fetch(srv.url, { method: 'POST' })).status).toBe(405);
    expect((await fetch(srv.url.replace('/metrics', '/other'))).status).toBe(404);
  });
});
