/**
 * An actor's timers, as data: `ctx.schedule` (a message for a recipient, once
 * or every period, optionally under a key), the delayed events of a machine
 * (machine.ts schedules them here), and the delay a requeued message waits
 * at the mailbox front (cell.ts `requeueHead`, for a retry). Each is armed on the host's clock, and each is a value — due
 * time, period, message, recipient, key — so it moves with its actor: a
 * snapshot carries every timer's remaining time and the new host re-arms it
 * (snapshot.ts). A timer whose actor stops is cancelled.
 *
 * Keyed timers (Akka's TimerScheduler): scheduling under a key cancels the
 * timer that held it, and `cancelKey` finds it wherever the actor runs by
 * then. A `Cancellable` handle cancels only on the thread that armed it: once
 * its actor moved, the timer lives on elsewhere and the handle does nothing.
 *
 * Paused (an actor that arrived and may not act yet, executors/sender-sync.ts):
 * timers keep their due times unarmed until `resume`.
 */
import type { Cancellable } from './actor.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { ActorRef } from './ref.ts';

/** What the timers need of the cell that owns them (cell.ts implements it). */
export interface TimerOwner {
  readonly ref: ActorRef;
  readonly host: { readonly clock: Clock; readonly timers: Clock };
  /** The front message's wait (HOLD_WAIT) is over. */
  endWait(): void;
}

export type TimerKey = string | number;

/**
 * A timer in a snapshot: remaining ms, period ms (0: once), message,
 * recipient (null: the actor itself, wherever it is), key (null: none).
 */
export type TimerData = readonly [number, number, unknown, ActorRef | null, TimerKey | null];

class Timer implements Cancellable {
  handle: TimerHandle | undefined = undefined;
  /** Clock time it fires at (this host's clock). */
  due = 0;

  constructor(
    private readonly owner: ActorTimers,
    readonly key: TimerKey | null,
    readonly msg: unknown,
    readonly to: ActorRef | null,
    readonly every: number,
  ) {}

  cancel(): void {
    this.owner.drop(this);
  }
}

export class ActorTimers {
  private readonly armed = new Set<Timer>();
  private keyed: Map<TimerKey, Timer> | null = null;
  /** The delay a requeued message waits out at the mailbox front (cell.ts HOLD_WAIT), or null. */
  private frontWait: Timer | null = null;
  private paused = false;

  constructor(private readonly cell: TimerOwner) {}

  /** Arms a timer `delayMs` from now; a key replaces the timer that held it. */
  add(delayMs: number, msg: unknown, to: ActorRef | null, every: number, key: TimerKey | null): Cancellable {
    if (key !== null) this.cancelKey(key);
    const t = new Timer(this, key, msg, to, every);
    this.track(t);
    this.arm(t, delayMs);
    return t;
  }

  /** Cancels the timer held under `key`; false when none was. */
  cancelKey(key: TimerKey): boolean {
    const t = this.keyed?.get(key);
    if (t === undefined) return false;
    this.drop(t);
    return true;
  }

  /** @internal a handle's `cancel`. */
  drop(t: Timer): void {
    if (!this.armed.delete(t)) return;
    if (t.key !== null && this.keyed?.get(t.key) === t) this.keyed.delete(t.key);
    if (t.handle !== undefined) this.cell.host.timers.clearTimeout(t.handle);
    t.handle = undefined;
  }

  /** Holds the mailbox's front message for `delayMs`; the cell's `endWait` runs when it is over. */
  holdWait(delayMs: number): void {
    this.clearWait();
    const t = new Timer(this, null, undefined, null, 0);
    this.frontWait = t;
    this.arm(t, delayMs);
  }

  /** Ms left of the front's delay, or -1 when none is running. */
  waitLeft(): number {
    const t = this.frontWait;
    return t === null ? -1 : Math.max(0, t.due - this.cell.host.clock.now());
  }

  /** Cancels everything (the actor stops, or left this host). */
  clear(): void {
    for (const t of [...this.armed]) this.drop(t);
    this.clearWait();
  }

  get size(): number {
    return this.armed.size;
  }

  /** The timers as they would be re-armed elsewhere now, oldest first. */
  toData(): TimerData[] {
    const now = this.cell.host.clock.now();
    const out: TimerData[] = [];
    for (const t of this.armed) out.push([Math.max(0, t.due - now), t.every, t.msg, t.to, t.key]);
    return out;
  }

  /** Re-arms timers from a snapshot with the time they had left. */
  restore(data: readonly TimerData[]): void {
    for (const [left, every, msg, to, key] of data) {
      const t = new Timer(this, key, msg, to, every);
      this.track(t);
      this.arm(t, left);
    }
  }

  /** Disarms every timer, keeping its due time: nothing fires until `resume`. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    for (const t of this.armed) this.unarm(t);
    if (this.frontWait !== null) this.unarm(this.frontWait);
  }

  /** Re-arms what `pause` disarmed with the time each had left; one already due fires at once. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const now = this.cell.host.clock.now();
    for (const t of this.armed) this.arm(t, t.due - now);
    if (this.frontWait !== null) this.arm(this.frontWait, this.frontWait.due - now);
  }

  private track(t: Timer): void {
    this.armed.add(t);
    if (t.key !== null) (this.keyed ??= new Map()).set(t.key, t);
  }

  private arm(t: Timer, delayMs: number): void {
    const host = this.cell.host;
    const ms = Math.max(0, delayMs);
    t.due = host.clock.now() + ms;
    // Armed through the keep-alive clock: a pending timer is pending work (lifetime.ts).
    if (!this.paused) t.handle = host.timers.setTimeout(() => this.fire(t), ms);
  }

  private unarm(t: Timer): void {
    if (t.handle !== undefined) this.cell.host.timers.clearTimeout(t.handle);
    t.handle = undefined;
  }

  /** Cancels the front's delay (a restart drops the message put back). */
  clearWait(): void {
    const t = this.frontWait;
    if (t === null) return;
    this.frontWait = null;
    this.unarm(t);
  }

  private fire(t: Timer): void {
    t.handle = undefined;
    if (t === this.frontWait) {
      this.frontWait = null;
      this.cell.endWait();
      return;
    }
    if (!this.armed.has(t)) return;
    if (t.every > 0) this.arm(t, t.every);
    else this.drop(t);
    const cell = this.cell;
    const self = cell.ref;
    const to = t.to ?? self;
    const c = to.cell;
    if (c !== null) c.deliver(t.msg, self);
    else to.host.route(to, t.msg, self);
  }
}
