/**
 * Where the dashboard's data comes from. A feed owns a Model, keeps it fed,
 * and once a second closes a chart point and (while someone looks) builds a
 * tick. The live feed watches a running system:
 *
 * 1. Always: lifecycle events only (`system.observe({ sampleRate: 0 })`),
 *    which turns no per-message event on, and the system's counters once a
 *    second for the message-rate charts. Nobody looking costs nothing per message.
 * 2. While a client is connected: per-message events too, sampled so that
 *    about TARGET_SAMPLES handler runs a second produce one (a power of two
 *    between 1 and MAX_INTERVAL), re-chosen each second from the throughput.
 *    Only one subscription feeds the model at a time: a new one first, then
 *    the old one goes (each handler checks its generation).
 * 3. `weight` = messages the counters saw / processed events that arrived,
 *    so sampled counts (and events an executor dropped behind us) scale back.
 */
import type { ActorSystem, AnyTroupeEvent, SystemStats } from '@troupe/runtime';
import type { Subscription } from 'rxjs';
import { Model, type ModelOptions } from './model/model.ts';
import type { Hello, Point, Tick, Totals } from './protocol.ts';

export interface Feed {
  readonly hello: Hello;
  readonly model: Model;
  /** A client connected (true) or the last one left (false). */
  watch(on: boolean): void;
  /** State for the clients, once a second while any is connected (and for a newcomer, `fresh`). */
  tick(clients: number, fresh: boolean): Tick;
  /** Called once a second while watched: the server builds a tick and broadcasts it. */
  onSecond: (() => void) | null;
  close(): void;
}

const TARGET_SAMPLES = 2000;
const MAX_INTERVAL = 1 << 16;

export class LiveFeed implements Feed {
  readonly hello: Hello;
  readonly model: Model;
  onSecond: (() => void) | null = null;
  private sub: Subscription | null = null;
  private gen = 0;
  /** Sampling interval of the current subscription (Infinity: lifecycle only). */
  private interval = Number.POSITIVE_INFINITY;
  private watching = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private last: { stats: SystemStats; at: number; seen: number };
  private lastPoint: Point | null = null;
  private measured: number | null = null;

  constructor(
    private readonly system: ActorSystem,
    options: ModelOptions & { title?: string } = {},
  ) {
    this.model = new Model(options);
    this.hello = {
      version: 1,
      source: 'live',
      startedAt: Date.now(),
      pid: process.pid,
      executors: system.options.executors === 'auto' ? null : Number(system.options.executors),
      title: options.title ?? 'troupe',
    };
    this.subscribe(Number.POSITIVE_INFINITY);
    this.last = { stats: system.stats(), at: performance.now(), seen: this.model.perMessageSeen };
    this.timer = setInterval(() => this.second(), 1000);
    this.timer.unref();
  }

  private subscribe(interval: number): void {
    const gen = ++this.gen;
    const old = this.sub;
    this.sub = this.system
      .observe({ sampleRate: interval === Number.POSITIVE_INFINITY ? 0 : 1 / interval })
      .subscribe({
        next: (e: AnyTroupeEvent) => {
          if (gen === this.gen) this.model.apply(e);
        },
        // The system shut down (events$ completes): keep what we have.
        complete: () => {},
      });
    old?.unsubscribe();
    this.interval = interval;
    if (interval !== Number.POSITIVE_INFINITY) this.model.weight = this.measured ?? interval;
  }

  watch(on: boolean): void {
    if (on === this.watching) return;
    this.watching = on;
    // Start cheap: the first second's throughput picks the real rate.
    this.subscribe(
      on ? Math.min(MAX_INTERVAL, this.pick(this.lastPoint?.messages ?? 0)) : Number.POSITIVE_INFINITY,
    );
  }

  /** The sampling interval for `perSec` messages a second: a power of two. */
  private pick(perSec: number): number {
    const want = perSec / TARGET_SAMPLES;
    let every = 1;
    while (every < want && every < MAX_INTERVAL) every *= 2;
    return every;
  }

  private second(): void {
    let stats: SystemStats;
    try {
      stats = this.system.stats();
    } catch {
      return; // shut down: nothing more to count
    }
    const now = performance.now();
    const dt = Math.max(1e-3, (now - this.last.at) / 1000);
    const processed = stats.processed - this.last.stats.processed;
    const dead = stats.deadLettered.total - this.last.stats.deadLettered.total;
    const seen = this.model.perMessageSeen - this.last.seen;
    this.last = { stats, at: now, seen: this.model.perMessageSeen };
    const perSec = Math.max(0, processed / dt);
    // Step 3: a processed event is one of the (up to) three per-message events of a message.
    const processedSeen = this.model.processedSeenDelta();
    if (this.interval !== Number.POSITIVE_INFINITY && processedSeen > 0 && processed > 0) {
      this.measured = Math.max(1, processed / processedSeen);
      this.model.weight = this.measured;
    } else if (seen === 0) this.measured = null;
    this.lastPoint = this.model.closeSecond(Math.floor(Date.now() / 1000), {
      messagesPerSec: perSec,
      deadLettersPerSec: Math.max(0, dead / dt),
      sojournMs: perSec > 0 ? (Math.max(0, stats.inFlight) / perSec) * 1000 : null,
    });
    if (this.watching) {
      const next = this.pick(perSec);
      if (next !== this.interval) this.subscribe(next);
      this.onSecond?.();
    }
  }

  tick(clients: number, fresh: boolean): Tick {
    // A newcomer (a page load, GET /snapshot) gets the counters as they are now, not a second old.
    let s = this.last.stats;
    if (fresh)
      try {
        s = this.system.stats();
      } catch {
        // shut down: the last counters stand
      }
    const d = this.model.derivedTotals();
    const totals: Totals = {
      sent: s.sent,
      processed: s.processed,
      deadLettered: s.deadLettered.total,
      inFlight: s.inFlight,
      actors: s.actors,
      restarts: d.restarts,
      failures: d.failures,
      deadlocks: d.deadlocks,
    };
    let graph = null;
    try {
      graph = this.system.waitForGraph();
    } catch {
      graph = null;
    }
    return this.model.tick(
      {
        at: Date.now(),
        totals,
        point: this.lastPoint,
        graph,
        clients,
        sampling: this.interval === Number.POSITIVE_INFINITY ? null : (this.measured ?? this.interval),
        eventNow: this.system.clock.now(),
      },
      fresh,
    );
  }

  close(): void {
    clearInterval(this.timer);
    this.gen++;
    this.sub?.unsubscribe();
    this.sub = null;
  }
}
