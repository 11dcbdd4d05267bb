/**
 * One typed, namespaced event stream for everything observable.
 *
 * Lifecycle events (spawn, stop, failure, dead letters) always flow to
 * subscribers. Per-message events (sent, received, processed) are produced
 * only while someone subscribes — or for a sampled fraction — because a
 * handler call costs tens of nanoseconds and an event object would double it.
 * The gate is one boolean the hot path reads (`perMessage`). A subscriber may
 * ask for fewer (`observe(rate)`, e.g. a dashboard, or lifecycle only with 0):
 * the highest rate any subscriber asked for is what is produced.
 */
import { Observable, Subject } from 'rxjs';
import type { ActorDescription } from './errors.ts';

export type { ActorDescription };

interface At {
  /** Clock time (ms) when it happened. */
  readonly at: number;
}

export type DeadLetterReason =
  | 'stopped'
  | 'mailbox-full'
  | 'dropped'
  | 'no-such-actor'
  | 'failed'
  | 'shutdown'
  | 'deadlock'
  | 'unserializable'
  | 'no-reply-target'
  | 'executor-crashed'
  | 'executor-lost'
  | (string & {});

export interface ActorSpawnedEvent extends At {
  readonly type: 'actor.spawned';
  readonly actor: ActorDescription;
  readonly parent?: ActorDescription | undefined;
}
/**
 * Why an actor moved to another executor: a thief took it (`steal`), it was
 * gathered with the actors it talks to (`compaction`), its spawn asked for
 * another executor (`placement`), `system.migrate` moved it (`migrate`), or an
 * executor retiring from the adaptive pool handed it on (`retire`).
 */
export type MigrationReason = 'steal' | 'compaction' | 'placement' | 'migrate' | 'retire';

/**
 * An actor now runs on executor `to` (it left `from`): the same actor, not a
 * new one — `actor.spawned` counts each actor once, so spawned − stopped is
 * the number of live actors whatever moved.
 */
export interface ActorMigratedEvent extends At {
  readonly type: 'actor.migrated';
  readonly actor: ActorDescription;
  readonly from: number;
  readonly to: number;
  readonly reason: MigrationReason;
}
export interface ActorStoppedEvent extends At {
  readonly type: 'actor.stopped';
  readonly actor: ActorDescription;
  readonly reason: string;
}
export interface ActorFailedEvent extends At {
  readonly type: 'actor.failed';
  readonly actor: ActorDescription;
  readonly error: unknown;
  readonly phase: 'init' | 'start' | 'receive' | 'stop';
  readonly messageType?: string | undefined;
}
export interface ActorRestartedEvent extends At {
  readonly type: 'actor.restarted';
  readonly actor: ActorDescription;
  readonly reason: string;
}
export interface MessageSentEvent extends At {
  readonly type: 'message.sent';
  readonly to: ActorDescription;
  readonly from?: ActorDescription | undefined;
  readonly messageType: string;
  readonly ask: boolean;
}
export interface MessageReceivedEvent extends At {
  readonly type: 'message.received';
  readonly actor: ActorDescription;
  readonly messageType: string;
  /** Time the message waited in the mailbox, when measured (per-message events on at send time). */
  readonly queuedMs?: number | undefined;
}
export interface MessageProcessedEvent extends At {
  readonly type: 'message.processed';
  readonly actor: ActorDescription;
  readonly messageType: string;
  readonly durationMs: number;
}
export interface MessageDeadLetteredEvent extends At {
  readonly type: 'message.dead-lettered';
  readonly to?: ActorDescription | undefined;
  readonly from?: ActorDescription | undefined;
  readonly messageType: string;
  readonly reason: DeadLetterReason;
}

/** A subscriber of `events$` or `deadLetters$` threw: it was unsubscribed, the system runs on (isolated-observable.ts). */
export interface ObserverFailedEvent extends At {
  readonly type: 'observer.failed';
  readonly stream: 'events$' | 'deadLetters$';
  readonly error: unknown;
}

/** Events other modules add (supervision, deadlock, scheduler, shutdown) share this shape. */
export interface ExtensionEvent extends At {
  readonly type: `${'supervisor' | 'deadlock' | 'hierarchy' | 'executor' | 'shutdown' | 'system' | 'handler' | 'actor' | 'migration' | 'steal' | 'compaction' | 'observability'}.${string}`;
  readonly [key: string]: unknown;
}

export type TroupeEvent =
  | ActorSpawnedEvent
  | ActorMigratedEvent
  | ActorStoppedEvent
  | ActorFailedEvent
  | ActorRestartedEvent
  | MessageSentEvent
  | MessageReceivedEvent
  | MessageProcessedEvent
  | MessageDeadLetteredEvent
  | ObserverFailedEvent;

export type AnyTroupeEvent = TroupeEvent | ExtensionEvent;

export interface DeadLetter {
  readonly message: unknown;
  readonly recipient?: ActorDescription | undefined;
  readonly sender?: ActorDescription | undefined;
  readonly reason: DeadLetterReason;
  readonly at: number;
}

export interface EventOptions {
  /** 'auto' (default): per-message events while `events$` has a subscriber. */
  readonly perMessage?: 'auto' | 'on' | 'off';
  /** Fraction of messages that produce per-message events when they are on (0–1, default 1). */
  readonly sampleRate?: number;
}

/** A sampling rate (0–1) as "one message in `every`"; Infinity for none. */
export function samplingInterval(rate: number): number {
  return rate >= 1 ? 1 : rate > 0 ? Math.round(1 / rate) : Number.POSITIVE_INFINITY;
}

export class EventBus {
  /** Read on every message: are per-message events wanted right now? */
  perMessage = false;
  private readonly subject = new Subject<AnyTroupeEvent>();
  private listeners = 0;
  /**
   * The sampling interval each subscriber asked for (1: every message; Infinity:
   * lifecycle events only), with how many asked for it. The smallest wins, so a
   * cheap subscriber never takes events from a full one.
   */
  private readonly wanted = new Map<number, number>();
  private readonly mode: 'auto' | 'on' | 'off';
  /** `sampleRate` of the options as an interval: no subscriber gets more than that. */
  private readonly floor: number;
  /** One message in `every` produces per-message events now. */
  private every = Number.POSITIVE_INFINITY;
  /** Messages until the next sampled run / send (a countdown: cheaper than a modulo per message). */
  private left = 1;
  private sendLeft = 1;
  readonly events$: Observable<AnyTroupeEvent>;

  constructor(options: EventOptions = {}) {
    this.mode = options.perMessage ?? 'auto';
    this.floor = samplingInterval(options.sampleRate ?? 1);
    this.events$ = this.observe(1);
    this.update();
  }

  /**
   * The stream at a chosen cost: lifecycle events always, per-message events for
   * about `rate` (0–1) of messages — 0 subscribes without turning them on. Every
   * subscriber sees what the highest rate asked for produces (capped by the
   * options' `sampleRate`).
   */
  observe(rate: number): Observable<AnyTroupeEvent> {
    const every = samplingInterval(rate);
    return new Observable<AnyTroupeEvent>((sub) => {
      this.listeners++;
      this.wanted.set(every, (this.wanted.get(every) ?? 0) + 1);
      this.update();
      const s = this.subject.subscribe(sub);
      return () => {
        s.unsubscribe();
        this.listeners--;
        const n = (this.wanted.get(every) ?? 1) - 1;
        if (n === 0) this.wanted.delete(every);
        else this.wanted.set(every, n);
        this.update();
      };
    });
  }

  get hasListeners(): boolean {
    return this.listeners > 0;
  }

  /** The interval per-message events are sampled at now (Infinity: off). */
  get interval(): number {
    return this.every;
  }

  /** Per-message gate including sampling, for a handler run; call only when `perMessage` is true. */
  sampled(): boolean {
    if (this.every === 1) return true;
    if (--this.left > 0) return false;
    this.left = this.every;
    return true;
  }

  /** The same for a send (its own count: sends and runs interleave, one count would alias). */
  sampledSend(): boolean {
    if (this.every === 1) return true;
    if (--this.sendLeft > 0) return false;
    this.sendLeft = this.every;
    return true;
  }

  emit(event: AnyTroupeEvent): void {
    if (this.listeners > 0) this.subject.next(event);
  }

  complete(): void {
    this.subject.complete();
  }

  private update(): void {
    let asked = Number.POSITIVE_INFINITY;
    if (this.mode === 'on') asked = 1;
    else if (this.mode === 'auto') for (const k of this.wanted.keys()) if (k < asked) asked = k;
    const every = Math.max(asked, this.floor);
    if (every !== this.every) {
      this.left = 1;
      this.sendLeft = 1;
    }
    this.every = every;
    this.perMessage = this.every !== Number.POSITIVE_INFINITY;
  }
}

/** `msg.type` when it is a string, else the JS type: what events and dead letters call a message. */
export function messageType(msg: unknown): string {
  if (msg !== null && typeof msg === 'object') {
    const t = (msg as { type?: unknown }).type;
    if (typeof t === 'string') return t;
    return (msg as object).constructor?.name ?? 'object';
  }
  return typeof msg;
}
