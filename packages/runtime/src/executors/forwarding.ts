/**
 * Events and dead letters from every executor, on the main thread's streams.
 *
 * 1. Executors forward only what someone listens to: the first subscriber
 *    of `events$` (or `deadLetters$`) turns forwarding on for every executor
 *    with an F_FORWARDING frame, the last one leaving turns it off; an
 *    executor that starts later is told when it connects (`tell`). The frame
 *    carries the highest per-message sampling rate any subscriber asked for
 *    (`observe(rate)`; 0: lifecycle events only), and is sent again when it changes.
 * 2. A forwarded event or dead letter is re-emitted on the main host, so a
 *    subscriber sees the whole system on one stream. Reading an event frees
 *    room in its executor's event window (event-window.ts).
 * 3. While `events$` has subscribers, scheduler metrics are an event too
 *    (`executor.metrics` every METRICS_EVENT_MS, over their own utilization
 *    window), and events an executor dropped behind a slow subscriber are
 *    reported once each (`executor.events-dropped`).
 */
import { type Board, type ExecutorHandle, F_FORWARDING, SLOT } from '@troupe/scheduler';
import { Observable } from 'rxjs';
import { type AnyTroupeEvent, type DeadLetter, samplingInterval } from '../kernel/events.ts';
import type { Host } from '../kernel/host.ts';
import { EVENT_WINDOW } from './event-window.ts';
import { metricsFromBoard, type SchedulerMetrics } from './metrics.ts';

/** Period of `executor.metrics` events while `events$` has subscribers, ms. */
const METRICS_EVENT_MS = 1000;

/** What forwarding needs from the threaded runtime (kept narrow so this file stays about forwarding). */
export interface ForwardingPort {
  readonly host: Host;
  readonly board: Board;
  /** The executors' threads (their ids for metrics), by node. */
  readonly handles: ReadonlyMap<number, ExecutorHandle>;
  /** Whether `node` is connected to the main thread. */
  connected(node: number): boolean;
  send(node: number, frame: unknown[]): void;
}

export class Forwarding {
  private eventSubs = 0;
  /** Sampling intervals the `events$` subscribers asked for, with their counts (EventBus.observe). */
  private readonly wanted = new Map<number, number>();
  private deadSubs = 0;
  private metricsTimer: ReturnType<typeof setInterval> | null = null;
  /** Per executor, the dropped-event count last reported by `executor.events-dropped`. */
  private readonly droppedReported = new Map<number, number>();

  constructor(private readonly port: ForwardingPort) {}

  /** Step 1 and 2: the main host's events, with every executor's while subscribed. */
  get events$(): Observable<AnyTroupeEvent> {
    return this.observe(1);
  }

  /**
   * Step 1 and 2 at a chosen cost: per-message events for about `rate` of messages (0: lifecycle
   * only, EventBus.observe). Executors sample at the highest rate any subscriber asked for.
   */
  observe(rate: number): Observable<AnyTroupeEvent> {
    const every = samplingInterval(rate);
    return new Observable<AnyTroupeEvent>((sub) => {
      const s = this.port.host.events.observe(rate).subscribe(sub);
      const before = this.interval();
      this.eventSubs++;
      this.wanted.set(every, (this.wanted.get(every) ?? 0) + 1);
      if (this.eventSubs === 1 || this.interval() !== before) this.tellAll();
      return () => {
        s.unsubscribe();
        const was = this.interval();
        this.eventSubs--;
        const n = (this.wanted.get(every) ?? 1) - 1;
        if (n === 0) this.wanted.delete(every);
        else this.wanted.set(every, n);
        if (this.eventSubs === 0 || this.interval() !== was) this.tellAll();
      };
    });
  }

  /** The smallest sampling interval asked for (Infinity: lifecycle only). */
  private interval(): number {
    let m = Number.POSITIVE_INFINITY;
    for (const k of this.wanted.keys()) if (k < m) m = k;
    return m;
  }

  get deadLetters$(): Observable<DeadLetter> {
    return new Observable<DeadLetter>((sub) => {
      const s = this.port.host.deadLetters.subscribe(sub);
      if (this.deadSubs++ === 0) this.tellAll();
      return () => {
        s.unsubscribe();
        if (--this.deadSubs === 0) this.tellAll();
      };
    });
  }

  /** Step 1: tells `node` what to forward now. */
  tell(node: number): void {
    if (!this.port.connected(node)) return;
    const every = this.interval();
    const events = this.eventSubs === 0 ? false : every === Number.POSITIVE_INFINITY ? 0 : 1 / every;
    this.port.send(node, [F_FORWARDING, events, this.deadSubs > 0]);
  }

  /** Step 2: an event from `from`. Out of the port: room in its window, whatever the subscribers do. */
  event(from: number, e: AnyTroupeEvent): void {
    this.port.board.add(from, SLOT.eventsRead);
    this.port.host.emit(e);
  }

  /** Step 2: a dead letter from an executor. */
  deadLetter(d: DeadLetter): void {
    this.port.host.deadLetters.next(d);
  }

  /** Stops the metrics events (shutdown: no executor is left to measure). */
  stop(): void {
    if (this.metricsTimer !== null) clearInterval(this.metricsTimer);
  }

  private tellAll(): void {
    const { board, host } = this.port;
    for (const n of board.executors()) this.tell(n);
    // Step 3.
    if (this.eventSubs > 0 && this.metricsTimer === null) {
      const last = new Map<number, { busy: number; at: number }>();
      this.metricsTimer = setInterval(() => {
        const metrics = metricsFromBoard(board, this.port.handles, last, performance.now());
        host.emit({ type: 'executor.metrics', at: host.clock.now(), metrics });
        this.reportDroppedEvents(metrics);
      }, METRICS_EVENT_MS);
      this.metricsTimer.unref();
    } else if (this.eventSubs === 0 && this.metricsTimer !== null) {
      clearInterval(this.metricsTimer);
      this.metricsTimer = null;
    }
  }

  /** Step 3: events an executor dropped behind a slow subscriber (event-window.ts), reported once each. */
  private reportDroppedEvents(m: SchedulerMetrics): void {
    const host = this.port.host;
    for (const e of m.executors) {
      const before = this.droppedReported.get(e.id) ?? 0;
      if (e.eventsDropped <= before) continue;
      this.droppedReported.set(e.id, e.eventsDropped);
      host.emit({
        type: 'executor.events-dropped',
        at: host.clock.now(),
        executor: e.id,
        dropped: e.eventsDropped - before,
        total: e.eventsDropped,
        window: EVENT_WINDOW,
      });
    }
  }
}
