/**
 * Receiver-initiated stealing: the thief asks, the victim hands over.
 *
 * In Node each thread owns its heap, so a steal is a migration, and only the
 * victim can safely take an actor out of its own heap. The protocol:
 *
 * 1. On each tick an executor whose run queue is empty polls this
 *    controller. It never has more than one request outstanding.
 * 2. The controller reads the board (queue depths published by every
 *    executor). Victims are executors whose depth is ≥ `stealThreshold`, so
 *    tiny backlogs never migrate, and that have not run out of ready actors
 *    for at least SATURATED_MS (their `idleAt`); the thief itself must have
 *    been busy at most THIEF_MAX_UTILIZATION of its last UTIL_WINDOW_MS, or
 *    of the last QUIET_MS or more (a thief that just ran dry need not wait
 *    for its window to end: that cost 5-7 ms at every tail of skewed load).
 *    Executors that both work about half the time are waiting on each other,
 *    not overloaded, and moving actors between them only adds migrations to
 *    latency-bound traffic: Savina Big thrashed with thousands of steals per
 *    run, and a single steal burst left a 90/30 split that halved its rate
 *    for the rest of the run. With no victim anywhere nothing happens and no
 *    round is counted (an idle system is not a failed steal).
 *    A victim the thief gathered its own actors onto (compaction.ts) within
 *    SPARE_MS is left alone: they were gathered because the two executors
 *    wait on each other, and a steal right behind moved them straight back
 *    (Banking and Chameneos on 2 executors thrashed between the two).
 * 3. Local round: the most loaded victim in the thief's own NUMA group gets
 *    a steal request. `stealAttempts` counts requests.
 * 4. A round fails when there is no local victim or the victim gave nothing;
 *    the next round waits `stealCooldownMs`.
 * 5. After `maxStealRetries` failed rounds the thief also considers other
 *    groups (own group still first); a request to another group is a
 *    cross-group request.
 * 6. The victim, at its next scheduling point (between drains), hands over up
 *    to half of its ready, migratable (not pinned, not busy, portable)
 *    actors, at most MAX_STEAL, newest first among its STEAL_SCAN newest
 *    ready entries, by migrating them to the thief, then replies with the
 *    count. Only actors worth a migration go: their pending
 *    messages at this executor's recent cost per message (`MessageCost`),
 *    less what shipping each costs (SHIP_MS), come to at least WORTH_MS. An actor with one cheap message is done
 *    before its snapshot would land (Fork-Join create moved 20,000 such
 *    children per run and ran 10x slower).
 * 7. On a reply with count > 0: `stealSuccesses` += 1, `numaCrossings` += 1
 *    when cross-group, the round counter resets. With 0: step 4.
 */
import { type Board, SLOT } from './board.ts';

/** How long a victim must have been busy without a break before it is stolen from, ms (step 2). */
export const SATURATED_MS = 3;
/** A thief busier than this fraction of its last UTIL_WINDOW_MS does not steal (step 2). */
export const THIEF_MAX_UTILIZATION = 0.25;
export const UTIL_WINDOW_MS = 5;
/** A thief at most THIEF_MAX_UTILIZATION busy for this long is idle, whatever its window says (step 2). */
export const QUIET_MS = 2;
/** How long after gathering onto an executor a thief does not steal from it, ms (step 2). */
export const SPARE_MS = 100;

export interface StealConfig {
  readonly enabled: boolean;
  readonly maxStealRetries: number;
  readonly stealCooldownMs: number;
  readonly stealThreshold: number;
}

export interface StealRequest {
  readonly victim: number;
  readonly cross: boolean;
  /** Failed rounds before this request. */
  readonly rounds: number;
}

export class StealController {
  private rounds = 0;
  private pending: StealRequest | null = null;
  private nextAt = 0;
  /** Start of the current utilization window: [time, the thief's busy ms then]. */
  private windowAt = Number.NEGATIVE_INFINITY;
  private windowBusy = 0;
  /** The thief's busy fraction over its last complete window (a new executor: idle). */
  private utilization = 0;
  /** Since when the thief has been busy at most THIEF_MAX_UTILIZATION between each two polls. */
  private quietAt = Number.NEGATIVE_INFINITY;
  private polledAt = Number.NEGATIVE_INFINITY;
  private polledBusy = 0;
  /** Victims this thief must leave alone until the given time (it gathered its actors onto them). */
  private readonly spared = new Map<number, number>();

  constructor(
    private readonly self: number,
    private readonly board: Board,
    private readonly config: StealConfig,
  ) {}

  get outstanding(): StealRequest | null {
    return this.pending;
  }

  /** Step 2: this executor just gathered actors onto `victim`, at `now` (wall-clock ms). */
  gathered(victim: number, now: number): void {
    this.spared.set(victim, now + SPARE_MS);
  }

  /**
   * Step 1–5: returns the request to send, or null. `now` is wall-clock ms
   * (`performance.timeOrigin + performance.now()`), comparable across threads.
   */
  poll(localDepth: number, now: number, busyMs = 0): StealRequest | null {
    if (now - this.windowAt >= UTIL_WINDOW_MS) {
      if (Number.isFinite(this.windowAt))
        this.utilization = (busyMs - this.windowBusy) / (now - this.windowAt);
      this.windowAt = now;
      this.windowBusy = busyMs;
    }
    // Busier than that since the previous poll: the quiet stretch starts again.
    if (busyMs - this.polledBusy > THIEF_MAX_UTILIZATION * (now - this.polledAt)) this.quietAt = now;
    this.polledAt = now;
    this.polledBusy = busyMs;
    const c = this.config;
    if (!c.enabled || this.pending !== null) return null;
    if (localDepth > 0) {
      this.rounds = 0;
      return null;
    }
    if (now < this.nextAt) return null;
    const b = this.board;
    // Step 2: mostly idle, not between two answers of latency-bound traffic.
    if (this.utilization > THIEF_MAX_UTILIZATION && now - this.quietAt < QUIET_MS) return null;
    const group = b.get(this.self, SLOT.group);
    let local = -1;
    let localDepthMax = 0;
    let remote = -1;
    let remoteDepthMax = 0;
    for (const n of b.executors()) {
      if (n === this.self) continue;
      const d = b.get(n, SLOT.queueDepth);
      if (d < c.stealThreshold || now - b.get(n, SLOT.idleAt) < SATURATED_MS) continue;
      if (this.spared.size > 0 && now < (this.spared.get(n) ?? 0)) continue;
      if (b.get(n, SLOT.group) === group) {
        if (d > localDepthMax) {
          local = n;
          localDepthMax = d;
        }
      } else if (d > remoteDepthMax) {
        remote = n;
        remoteDepthMax = d;
      }
    }
    if (local < 0 && remote < 0) {
      this.rounds = 0;
      return null;
    }
    let req: StealRequest | null = null;
    if (local >= 0) req = { victim: local, cross: false, rounds: this.rounds };
    else if (this.rounds >= c.maxStealRetries) req = { victim: remote, cross: true, rounds: this.rounds };
    if (req === null) {
      this.fail(now);
      return null;
    }
    this.pending = req;
    b.add(this.self, SLOT.stealAttempts);
    return req;
  }

  /** Step 7: the victim answered. */
  reply(count: number, now: number): void {
    const req = this.pending;
    this.pending = null;
    if (req === null) return;
    if (count > 0) {
      this.board.add(this.self, SLOT.stealSuccesses);
      if (req.cross) this.board.add(this.self, SLOT.numaCrossings);
      this.rounds = 0;
      this.nextAt = 0;
    } else this.fail(now);
  }

  /** The victim went away before answering. */
  abandon(now: number): void {
    if (this.pending === null) return;
    this.pending = null;
    this.fail(now);
  }

  private fail(now: number): void {
    this.rounds++;
    this.board.set(this.self, SLOT.stealRounds, this.rounds);
    this.nextAt = now + this.config.stealCooldownMs;
  }
}

/** Most actors one steal moves (step 6): each costs a snapshot and a handshake on both sides. */
export const MAX_STEAL = 64;

/** Least pending work, ms, that makes an actor worth migrating (step 6). */
export const WORTH_MS = 0.1;

/**
 * What shipping one pending message costs the victim, ms: the portability
 * check and its share of the snapshot's encoding. Messages cheaper than this
 * to handle are cheaper to handle where they are (Savina Fork-Join
 * throughput: 60 actors with 10,000 messages of ~0.04 µs ran 1.5-2x slower
 * when 15 of them moved).
 */
export const SHIP_MS = 0.002;

/** Step 6: how many of `ready` migratable actors a victim hands over. */
/**
 * How many of its newest ready entries a victim looks at per request (step
 * 6): the work of answering stays bounded however deep its queue is.
 */
export const STEAL_SCAN = 2048;

export function stealCount(ready: number, threshold: number): number {
  if (ready < Math.max(1, threshold)) return 0;
  return Math.min(MAX_STEAL, Math.max(1, Math.floor(ready / 2)));
}

/** Step 6: whether an actor with `pending` messages is worth a migration at `perMessageMs` each. */
export function worthMoving(pending: number, perMessageMs: number): boolean {
  return perMessageMs > SHIP_MS && pending * (perMessageMs - SHIP_MS) >= WORTH_MS;
}

/**
 * Cost of one message per kind of actor (its definition), ms, from timed
 * turns: time over messages, both summed with decay, so many cheap messages
 * outweigh one long turn. A kind never timed costs 0: turns too fast to time
 * (under 2 µs on average) are never worth a migration anyway.
 */
export class MessageCost<K extends object> {
  private readonly sums = new WeakMap<K, { ms: number; messages: number }>();

  /** A turn of `kind` took `ms` for `messages` messages. */
  add(kind: K, ms: number, messages: number): void {
    if (messages <= 0) return;
    const s = this.sums.get(kind);
    if (s === undefined) this.sums.set(kind, { ms, messages });
    else {
      s.ms = 0.5 * s.ms + ms;
      s.messages = 0.5 * s.messages + messages;
    }
  }

  of(kind: K): number {
    const s = this.sums.get(kind);
    return s === undefined ? 0 : s.ms / s.messages;
  }
}
