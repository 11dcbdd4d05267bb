/**
 * What metrics learn from the event stream: counts by definition, reason or
 * strategy, and handler-duration histograms. Fed by any stream of events —
 * a live system's or a recording's replay — so a recording gives the same
 * numbers as the system it was made from (`snapshot()`).
 *
 * 1. Lifecycle events (spawned, stopped, restarted, failed, migrated, dead
 *    letters, deadlocks, shutdown phases) are counted always; they are few.
 * 2. Per-message events (`message.sent`, `message.processed`) are counted
 *    only with `perMessage`: a live system produces them only while someone
 *    wants them, at a cost per message (events.ts in the runtime).
 * 3. Labels stay bounded: definitions, reasons, phases and strategies are
 *    the program's own finite sets; actor ids and names never become labels;
 *    message types only with `messageTypes`, the first `limit` seen keeping
 *    their name and the rest counted as `other`.
 * 4. Plain numbers in maps: the adapters (prometheus.ts, otel.ts) read them
 *    when scraped or collected, nothing is pushed per event.
 */
import type { AnyTroupeEvent } from '@troupe/runtime';
import { BucketCounts } from './buckets.ts';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

export interface HistogramSample {
  readonly labels: Labels;
  readonly buckets: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/** Everything the collector counted, in a stable order (equal streams give equal snapshots). */
export interface MetricsSnapshot {
  readonly counters: Readonly<Record<string, readonly Sample[]>>;
  readonly gauges: Readonly<Record<string, readonly Sample[]>>;
  readonly histograms: Readonly<Record<string, readonly HistogramSample[]>>;
}

export interface CollectorOptions {
  /** Count per-message events too (by definition, handler durations). Default false. */
  readonly perMessage?: boolean;
  /** Label per-message series with the message type, capped at `limit` distinct types (default 20). */
  readonly messageTypes?: boolean | { readonly limit?: number };
}

/** A counter by label values, kept as plain numbers. */
export class Tally {
  private readonly map = new Map<string, { labels: Labels; value: number }>();

  constructor(private readonly names: readonly string[]) {}

  add(values: readonly string[], n = 1): void {
    const key = values.join('\u0000');
    const e = this.map.get(key);
    if (e !== undefined) e.value += n;
    else {
      const labels: Record<string, string> = {};
      this.names.forEach((k, i) => {
        labels[k] = values[i]!;
      });
      this.map.set(key, { labels, value: n });
    }
  }

  set(values: readonly string[], n: number): void {
    this.add(values, 0);
    this.map.get(values.join('\u0000'))!.value = n;
  }

  get(values: readonly string[]): number {
    return this.map.get(values.join('\u0000'))?.value ?? 0;
  }

  samples(): Sample[] {
    return [...this.map.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, e]) => ({ labels: e.labels, value: e.value }));
  }
}

class Histograms {
  private readonly map = new Map<string, { labels: Labels; h: BucketCounts }>();

  constructor(private readonly names: readonly string[]) {}

  observe(values: readonly string[], v: number): void {
    const key = values.join('\u0000');
    let e = this.map.get(key);
    if (e === undefined) {
      const labels: Record<string, string> = {};
      this.names.forEach((k, i) => {
        labels[k] = values[i]!;
      });
      e = { labels, h: new BucketCounts() };
      this.map.set(key, e);
    }
    e.h.observe(v);
  }

  samples(): HistogramSample[] {
    return [...this.map.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, { labels, h }]) => ({
        labels,
        buckets: h.bounds,
        counts: [...h.counts],
        sum: h.sum,
        count: h.count,
      }));
  }
}

/** A handler duration as it was observed: for adapters that record into their own instruments (OTel). */
export type DurationListener = (definition: string, messageType: string | null, seconds: number) => void;

export class MetricsCollector {
  readonly perMessage: boolean;
  private readonly typeLimit: number;
  private readonly types = new Set<string>();
  readonly spawned = new Tally(['definition']);
  readonly stopped = new Tally(['definition']);
  readonly restarted = new Tally(['definition']);
  readonly failures = new Tally(['definition', 'phase']);
  readonly migrations = new Tally(['reason']);
  readonly deadLetters = new Tally(['reason']);
  readonly deadlocks = new Tally(['strategy']);
  readonly shutdownPhases = new Tally(['phase']);
  readonly observerFailures = new Tally(['stream']);
  readonly sent: Tally;
  readonly handled: Tally;
  private readonly durations: Histograms;
  private readonly listeners: DurationListener[] = [];

  constructor(options: CollectorOptions = {}) {
    this.perMessage = options.perMessage === true;
    const mt = options.messageTypes;
    this.typeLimit = mt === undefined || mt === false ? 0 : mt === true ? 20 : (mt.limit ?? 20);
    const typed = this.typeLimit > 0 ? ['message_type'] : [];
    this.sent = new Tally(['definition', ...typed]);
    this.handled = new Tally(['definition', 'outcome', ...typed]);
    this.durations = new Histograms(['definition', ...typed]);
  }

  onDuration(l: DurationListener): void {
    this.listeners.push(l);
  }

  /** The label value for a message type: its name while under the cap, else `other`. */
  private typeLabel(t: string): string {
    if (this.types.has(t)) return t;
    if (this.types.size < this.typeLimit) {
      this.types.add(t);
      return t;
    }
    return 'other';
  }

  /** Counts one event. Never throws: an event of an unknown shape is skipped field by field. */
  observe(e: AnyTroupeEvent): void {
    const x = e as Record<string, any>;
    switch (e.type) {
      case 'actor.spawned':
        this.spawned.add([String(x.actor?.def)]);
        return;
      case 'actor.stopped':
        this.stopped.add([String(x.actor?.def)]);
        return;
      case 'actor.restarted':
        this.restarted.add([String(x.actor?.def)]);
        return;
      case 'actor.failed':
        this.failures.add([String(x.actor?.def), String(x.phase)]);
        if (this.perMessage && x.phase === 'receive') {
          const typed = this.typeLimit > 0 ? [this.typeLabel(String(x.messageType))] : [];
          this.handled.add([String(x.actor?.def), 'failed', ...typed]);
        }
        return;
      case 'actor.migrated':
        this.migrations.add([String(x.reason)]);
        return;
      case 'message.dead-lettered':
        this.deadLetters.add([String(x.reason)]);
        return;
      case 'deadlock.detected':
        this.deadlocks.add([String(x.strategy)]);
        return;
      case 'shutdown.phase-completed':
        // The last shutdown's phases: a system shuts down once.
        this.shutdownPhases.set([String(x.phase)], Number(x.durationMs) / 1000);
        return;
      case 'observer.failed':
        this.observerFailures.add([String(x.stream)]);
        return;
    }
    if (!this.perMessage) return;
    if (e.type === 'message.sent') {
      const typed = this.typeLimit > 0 ? [this.typeLabel(String(x.messageType))] : [];
      this.sent.add([String(x.to?.def), ...typed]);
    } else if (e.type === 'message.processed') {
      const def = String(x.actor?.def);
      const type = this.typeLimit > 0 ? this.typeLabel(String(x.messageType)) : null;
      const typed = type === null ? [] : [type];
      this.handled.add([def, 'processed', ...typed]);
      const s = Number(x.durationMs) / 1000;
      this.durations.observe([def, ...typed], s);
      for (const l of this.listeners) l(def, type, s);
    }
  }

  /** Live actors by definition since the collector started counting (spawned − stopped, never below 0). */
  live(): Sample[] {
    const stopped = new Map(this.stopped.samples().map((s) => [s.labels.definition, s.value]));
    return this.spawned.samples().map((s) => ({
      labels: s.labels,
      value: Math.max(0, s.value - (stopped.get(s.labels.definition) ?? 0)),
    }));
  }

  /** Handler durations by definition (and message type), in seconds. */
  durationSamples(): HistogramSample[] {
    return this.durations.samples();
  }

  snapshot(): MetricsSnapshot {
    return {
      counters: {
        spawned: this.spawned.samples(),
        stopped: this.stopped.samples(),
        restarted: this.restarted.samples(),
        failures: this.failures.samples(),
        migrations: this.migrations.samples(),
        deadLetters: this.deadLetters.samples(),
        deadlocks: this.deadlocks.samples(),
        observerFailures: this.observerFailures.samples(),
        sent: this.sent.samples(),
        handled: this.handled.samples(),
      },
      gauges: { live: this.live(), shutdownPhases: this.shutdownPhases.samples() },
      histograms: { handlerDuration: this.durationSamples() },
    };
  }
}
