/**
 * Every metric Troupe exports, once, for both adapters (prometheus.ts and
 * otel.ts): its Prometheus name, its OpenTelemetry name and unit, and how to
 * read it when scraped.
 *
 * Naming (Prometheus's rules): one prefix `troupe_`, base units in the name
 * (`_seconds`, `_ratio`), `_total` on counters, labels whose sum makes sense
 * (steal attempts and successes are two metrics), no actor ids or names.
 * Executor ids are labels: they are few (the pool's size).
 *
 * Sources: `system.stats()` (exact message and dead-letter counts, live
 * actors), `system.metrics()` (per executor, read from shared memory), and
 * the collector (collector.ts: counts by definition from the event stream).
 */
import type { ActorSystem, SchedulerMetrics, SystemStats } from '@troupe/runtime';
import type { HistogramSample, MetricsCollector, Sample } from './collector.ts';

export type MetricKind = 'counter' | 'gauge';

/** What one scrape reads: the system's numbers at most once per scrape (scrape.ts). */
export interface ScrapeView {
  readonly collector: MetricsCollector;
  /** Null when there is no live system (a replay). */
  stats(): SystemStats | null;
  sched(): SchedulerMetrics | null;
}

export interface MetricDef {
  readonly name: string;
  readonly help: string;
  readonly kind: MetricKind;
  readonly otelName: string;
  readonly unit: string;
  /** Label names, in order (Prometheus and OTel attributes alike). */
  readonly labels: readonly string[];
  /** Only while the collector counts per-message events. */
  readonly perMessage?: boolean;
  read(v: ScrapeView): readonly Sample[];
}

export interface HistogramDef {
  readonly name: string;
  readonly help: string;
  readonly otelName: string;
  readonly unit: string;
  read(v: ScrapeView): readonly HistogramSample[];
}

const one = (value: number | undefined): Sample[] => (value === undefined ? [] : [{ labels: {}, value }]);

const EXEC_LABELS = ['executor', 'group'] as const;

function perExecutor(
  key:
    | 'workerUtilization'
    | 'queueDepth'
    | 'actors'
    | 'stealAttempts'
    | 'stealSuccesses'
    | 'numaCrossings'
    | 'migrations'
    | 'tasksCompleted'
    | 'eventsDropped'
    | 'eventsQueued',
) {
  return (v: ScrapeView): Sample[] =>
    (v.sched()?.executors ?? []).map((e) => ({
      labels: { executor: String(e.id), group: String(e.group) },
      value: e[key],
    }));
}

export const METRICS: readonly MetricDef[] = [
  // ---- messages and actors: exact, from stats() -------------------------------------------------
  {
    name: 'troupe_messages_sent_total',
    help: 'User messages that entered a mailbox or were refused at its door.',
    kind: 'counter',
    otelName: 'troupe.messages.sent',
    unit: '{message}',
    labels: [],
    read: (v) => one(v.stats()?.sent),
  },
  {
    name: 'troupe_messages_processed_total',
    help: 'Messages whose handler completed.',
    kind: 'counter',
    otelName: 'troupe.messages.processed',
    unit: '{message}',
    labels: [],
    read: (v) => one(v.stats()?.processed),
  },
  {
    name: 'troupe_dead_letters_total',
    help: 'Messages delivered to dead letters, by reason.',
    kind: 'counter',
    otelName: 'troupe.dead_letters',
    unit: '{message}',
    labels: ['reason'],
    read: (v) => {
      const s = v.stats();
      if (s === null) return v.collector.deadLetters.samples();
      return Object.entries(s.deadLettered.byReason)
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([reason, value]) => ({ labels: { reason }, value }));
    },
  },
  {
    name: 'troupe_mailbox_messages',
    help: 'Messages in mailboxes or being handled, system-wide (sent - processed - dead-lettered).',
    kind: 'gauge',
    otelName: 'troupe.mailbox.messages',
    unit: '{message}',
    labels: [],
    read: (v) => one(v.stats()?.inFlight),
  },
  {
    name: 'troupe_actors',
    help: 'Live actors.',
    kind: 'gauge',
    otelName: 'troupe.actors',
    unit: '{actor}',
    labels: [],
    read: (v) => one(v.stats()?.actors),
  },
  // ---- lifecycle by definition: from the event stream --------------------------------------------
  {
    name: 'troupe_actors_spawned_total',
    help: 'Actors spawned, by definition (since metrics started).',
    kind: 'counter',
    otelName: 'troupe.actors.spawned',
    unit: '{actor}',
    labels: ['definition'],
    read: (v) => v.collector.spawned.samples(),
  },
  {
    name: 'troupe_actors_stopped_total',
    help: 'Actors stopped, by definition (since metrics started).',
    kind: 'counter',
    otelName: 'troupe.actors.stopped',
    unit: '{actor}',
    labels: ['definition'],
    read: (v) => v.collector.stopped.samples(),
  },
  {
    name: 'troupe_actors_restarted_total',
    help: 'Actor restarts by supervision, by definition.',
    kind: 'counter',
    otelName: 'troupe.actors.restarted',
    unit: '{restart}',
    labels: ['definition'],
    read: (v) => v.collector.restarted.samples(),
  },
  {
    name: 'troupe_actors_live',
    help: 'Live actors by definition: spawned minus stopped since metrics started.',
    kind: 'gauge',
    otelName: 'troupe.actors.live',
    unit: '{actor}',
    labels: ['definition'],
    read: (v) => v.collector.live(),
  },
  {
    name: 'troupe_actor_failures_total',
    help: 'Failures of actors (a handler or hook threw), by definition and phase.',
    kind: 'counter',
    otelName: 'troupe.actor.failures',
    unit: '{failure}',
    labels: ['definition', 'phase'],
    read: (v) => v.collector.failures.samples(),
  },
  {
    name: 'troupe_actor_migrations_total',
    help: 'Actors that moved to another executor, by reason (steal, compaction, placement, migrate, retire).',
    kind: 'counter',
    otelName: 'troupe.actor.migrations',
    unit: '{migration}',
    labels: ['reason'],
    read: (v) => v.collector.migrations.samples(),
  },
  {
    name: 'troupe_deadlocks_total',
    help: 'Deadlock cycles detected, by strategy.',
    kind: 'counter',
    otelName: 'troupe.deadlocks',
    unit: '{deadlock}',
    labels: ['strategy'],
    read: (v) => v.collector.deadlocks.samples(),
  },
  {
    name: 'troupe_shutdown_phase_duration_seconds',
    help: "Duration of each phase of the system's shutdown.",
    kind: 'gauge',
    otelName: 'troupe.shutdown.phase.duration',
    unit: 's',
    labels: ['phase'],
    read: (v) => v.collector.shutdownPhases.samples(),
  },
  {
    name: 'troupe_observer_failures_total',
    help: 'Subscribers of the event streams that threw and were unsubscribed.',
    kind: 'counter',
    otelName: 'troupe.observer.failures',
    unit: '{failure}',
    labels: ['stream'],
    read: (v) => v.collector.observerFailures.samples(),
  },
  // ---- executors: from metrics() ------------------------------------------------------------------
  {
    name: 'troupe_executor_utilization_ratio',
    help: 'Fraction of wall time the executor ran actors, since the previous read.',
    kind: 'gauge',
    otelName: 'troupe.executor.utilization',
    unit: '1',
    labels: EXEC_LABELS,
    read: perExecutor('workerUtilization'),
  },
  {
    name: 'troupe_executor_run_queue_actors',
    help: "Actors waiting in the executor's run queue.",
    kind: 'gauge',
    otelName: 'troupe.executor.run_queue',
    unit: '{actor}',
    labels: EXEC_LABELS,
    read: perExecutor('queueDepth'),
  },
  {
    name: 'troupe_executor_actors',
    help: 'Actors living on the executor.',
    kind: 'gauge',
    otelName: 'troupe.executor.actors',
    unit: '{actor}',
    labels: EXEC_LABELS,
    read: perExecutor('actors'),
  },
  {
    name: 'troupe_executor_steal_attempts_total',
    help: 'Steal requests the executor made.',
    kind: 'counter',
    otelName: 'troupe.executor.steal.attempts',
    unit: '{attempt}',
    labels: EXEC_LABELS,
    read: perExecutor('stealAttempts'),
  },
  {
    name: 'troupe_executor_steal_successes_total',
    help: 'Steal requests that brought actors back.',
    kind: 'counter',
    otelName: 'troupe.executor.steal.successes',
    unit: '{steal}',
    labels: EXEC_LABELS,
    read: perExecutor('stealSuccesses'),
  },
  {
    name: 'troupe_executor_numa_crossing_steals_total',
    help: 'Steals from an executor of another NUMA group.',
    kind: 'counter',
    otelName: 'troupe.executor.steal.numa_crossings',
    unit: '{steal}',
    labels: EXEC_LABELS,
    read: perExecutor('numaCrossings'),
  },
  {
    name: 'troupe_executor_migrations_total',
    help: 'Actors the executor received from another executor.',
    kind: 'counter',
    otelName: 'troupe.executor.migrations',
    unit: '{migration}',
    labels: EXEC_LABELS,
    read: perExecutor('migrations'),
  },
  {
    name: 'troupe_executor_tasks_completed_total',
    help: 'Actor turns the executor completed.',
    kind: 'counter',
    otelName: 'troupe.executor.tasks_completed',
    unit: '{turn}',
    labels: EXEC_LABELS,
    read: perExecutor('tasksCompleted'),
  },
  {
    name: 'troupe_executor_events_dropped_total',
    help: 'Per-message events the executor dropped behind a slow event subscriber.',
    kind: 'counter',
    otelName: 'troupe.executor.events.dropped',
    unit: '{event}',
    labels: EXEC_LABELS,
    read: perExecutor('eventsDropped'),
  },
  {
    name: 'troupe_executor_events_queued',
    help: 'Events the executor posted to the main thread and not yet read there.',
    kind: 'gauge',
    otelName: 'troupe.executor.events.queued',
    unit: '{event}',
    labels: EXEC_LABELS,
    read: perExecutor('eventsQueued'),
  },
  {
    name: 'troupe_executor_faults_total',
    help: 'Executors lost, by kind (hung: stopped answering the watchdog; crashed: the thread died).',
    kind: 'counter',
    otelName: 'troupe.executor.faults',
    unit: '{fault}',
    labels: ['kind'],
    read: (v) => {
      const f = v.sched()?.faults;
      return f === undefined
        ? []
        : [
            { labels: { kind: 'crashed' }, value: f.crashed },
            { labels: { kind: 'hung' }, value: f.hung },
          ];
    },
  },
  {
    name: 'troupe_executor_replacements_total',
    help: 'Executors started in place of lost ones.',
    kind: 'counter',
    otelName: 'troupe.executor.replacements',
    unit: '{executor}',
    labels: [],
    read: (v) => one(v.sched()?.faults?.replaced),
  },
  {
    name: 'troupe_executor_lost_messages_total',
    help: 'Messages lost with an executor (dead-lettered as executor-lost).',
    kind: 'counter',
    otelName: 'troupe.executor.lost_messages',
    unit: '{message}',
    labels: [],
    read: (v) => one(v.sched()?.faults?.lostMessages),
  },
  {
    name: 'troupe_quarantined_definitions',
    help: "Definitions the executors' circuit breaker quarantined.",
    kind: 'gauge',
    otelName: 'troupe.quarantined_definitions',
    unit: '{definition}',
    labels: [],
    read: (v) => one(v.sched()?.faults?.quarantined.length),
  },
  // ---- per message (opt-in): from per-message events ---------------------------------------------
  {
    name: 'troupe_messages_sent_by_definition_total',
    help: "Messages accepted into a mailbox, by the receiver's definition (per-message events).",
    kind: 'counter',
    otelName: 'messaging.client.sent.messages',
    unit: '{message}',
    labels: ['definition'],
    perMessage: true,
    read: (v) => v.collector.sent.samples(),
  },
  {
    name: 'troupe_messages_handled_total',
    help: 'Messages handled, by definition and outcome (processed or failed; per-message events).',
    kind: 'counter',
    otelName: 'messaging.client.consumed.messages',
    unit: '{message}',
    labels: ['definition', 'outcome'],
    perMessage: true,
    read: (v) => v.collector.handled.samples(),
  },
];

export const HANDLER_DURATION: HistogramDef = {
  name: 'troupe_handler_duration_seconds',
  help: 'Time a handler ran, by definition (per-message events; sampled when events.sampleRate < 1).',
  otelName: 'messaging.process.duration',
  unit: 's',
  read: (v) => v.collector.durationSamples(),
};

/** Reads `system.stats()` and `system.metrics()` at most once per scrape (one macrotask). */
export function scrapeView(collector: MetricsCollector, system: ActorSystem | null): ScrapeView {
  let stats: SystemStats | null | undefined;
  let sched: SchedulerMetrics | null | undefined;
  let armed = false;
  const forgetSoon = () => {
    if (armed) return;
    armed = true;
    setImmediate(() => {
      armed = false;
      stats = undefined;
      sched = undefined;
    });
  };
  return {
    collector,
    stats() {
      if (system === null) return null;
      if (stats === undefined) {
        stats = system.stats();
        forgetSoon();
      }
      return stats;
    },
    sched() {
      if (system === null) return null;
      if (sched === undefined) {
        sched = system.metrics();
        forgetSoon();
      }
      return sched;
    },
  };
}
