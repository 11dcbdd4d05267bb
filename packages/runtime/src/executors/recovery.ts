/**
 * Recovery: turns a lost executor (hung and terminated, or crashed) into
 * actor failures the rest of the system can act on, accounts for the
 * messages it took with it, and replaces it.
 *
 * Loss protocol (main thread, once per lost node L):
 * 1. Account: L's last published counters (it publishes before every drain,
 *    scheduler/watchdog.ts) move into the retired totals; what L had
 *    accepted but not finished (`sent − processed − dead`) is dead-lettered
 *    as `executor-lost`, and so are the user-message frames posted to L that
 *    it never read (the transit ledger, read on every `stats()` because
 *    survivors may still post to L until they hear of the loss).
 * 2. Report `executor.hung` / `executor.crashed` with the culprit (the actor
 *    whose turn was running, its definition and message type).
 * 3. Ask every survivor which actors born on L it hosts (they live on) and
 *    which of its directory entries pointed at L (those actors are lost).
 * 4. Tell every node, main included (`applyLost`): a lost actor is one born
 *    on L that no survivor hosts, or one a directory placed on L. Each node
 *    delivers `Terminated(reason)` to its watchers of lost actors, rejects its
 *    pending asks to them with `ActorStoppedError(reason)`, resolves its
 *    pending stops of them (a lost actor has terminated), rejects its pending
 *    migrations of them, sends again by the new route the stops and
 *    migrations that went through L to an actor that lives on (their frame
 *    died in L's port; both are idempotent), and routes to the surviving
 *    actors born on L through their new holder (`rehomed`); from step 3 on,
 *    a survivor no longer posts to L, and an ask made later to an actor born
 *    on L that lives nowhere else rejects with the same ActorStoppedError.
 * 5. The restart circuit breaker counts the loss against the culprit's
 *    definition; past `maxLosses` within `windowMs` the definition is
 *    quarantined everywhere: its actors stop (`circuit-open`) and spawns of
 *    it are refused, so a supervisor cannot feed it executor after executor.
 * 6. A replacement executor starts in L's group (a fresh node number, so ids
 *    born on L are never reused) and `executor.replaced` is emitted.
 *
 * Invariants: `sent = processed + deadLettered.total` holds at quiescence
 * across losses; every ask to a lost actor settles (rejected here, or by its
 * timeout when its target's fate is unknown); nothing here runs on the lost
 * thread.
 */
import type { Board, RunningRecord, WatchdogBoard } from '@troupe/scheduler';
import { K_TELL, REQ_LOST, REQ_LOST_ACTORS, REQ_QUARANTINE, SLOT } from '@troupe/scheduler';
import type { AskHandle } from '../kernel/ask.ts';
import { ALIVE } from '../kernel/cell.ts';
import { ActorStoppedError } from '../kernel/errors.ts';
import { type Host, NODE_SPACE } from '../kernel/host.ts';
import { terminatedMsg } from '../kernel/sysmsg.ts';
import type { ResolvedFaults } from './fault-options.ts';
import { deadItem, type Item, sysOf } from './items.ts';
import { loseLinks } from './links.ts';

export type LossKind = 'hung' | 'crashed';

/** What survivors learn about a loss (step 4). */
export interface LostInfo {
  readonly node: number;
  readonly reason: 'executor-hung' | 'executor-crashed';
  /** Actors born on the lost node that live on elsewhere, with their holder. */
  readonly rehome: readonly (readonly [number, number])[];
  /** Actors born elsewhere that lived on the lost node. */
  readonly lost: readonly number[];
}

export interface FaultCounts {
  readonly hung: number;
  readonly crashed: number;
  readonly replaced: number;
  /** Definitions the circuit breaker quarantined. */
  readonly quarantined: readonly string[];
  /** Messages dead-lettered as `executor-lost` so far. */
  readonly lostMessages: number;
}

/**
 * What recovery reads and changes on a node's link (link.ts ThreadLink): defined here, by its
 * user, because the link imports this file's ledger (`trackAsk`, `deadLost`).
 */
export interface RecoveryLink {
  readonly channels: ReadonlyMap<number, unknown>;
  /** Directory: where actors born here live now. */
  readonly loc: Map<number, number>;
  /** Where actors that left this node went. */
  readonly forward: Map<number, number>;
  rehomed: Map<number, number> | null;
  lost: Map<number, string> | null;
  readonly asks: Map<number, Tracked> | null;
  disconnect(node: number): void;
  settleArrivals(lost: number): void;
  dispatch(item: Item, fwd: number, fromFrame: boolean): void;
}

/** What the runtime lends the recovery (kept narrow so this file stays about recovery). */
export interface RecoveryPort {
  readonly host: Host;
  readonly link: RecoveryLink;
  readonly board: Board;
  readonly watchdog: WatchdogBoard;
  readonly faults: ResolvedFaults;
  survivors(): number[];
  request<T>(node: number, op: number, args: unknown[], timeoutMs: number): Promise<T>;
  /** Starts an executor in `group`; resolves with its node, rejects when it cannot start. */
  replace(group: number): Promise<number>;
  /** Drops what the main thread remembers about lost actors (names). */
  forget(isLost: (id: number) => boolean): void;
}

const ANSWER_MS = 2000;

export class Recovery {
  private sent = 0;
  private processed = 0;
  private dead = 0;
  private readonly byReason = new Map<string, number>();
  /** Lost nodes' snapshotsOut − snapshotsIn: their receivers' and senders' rows still count those moves. */
  private transitActors = 0;
  /** Lost nodes, for the transit part of the accounting (step 1). */
  private readonly lostNodes: number[] = [];
  private hung = 0;
  private crashed = 0;
  private replaced = 0;
  private queuedLost = 0;
  private readonly losses = new Map<string, number[]>();
  readonly quarantined = new Set<string>();

  constructor(private readonly port: RecoveryPort) {}

  /** Retired totals plus what is still in transit to lost nodes (add to the live executors' rows). */
  totals(): { sent: number; processed: number; dead: number; actors: number; byReason: Map<string, number> } {
    let transit = 0;
    for (const n of this.lostNodes) transit += Math.max(0, this.port.watchdog.inTransitTo(n));
    const byReason = new Map(this.byReason);
    if (transit > 0) byReason.set('executor-lost', (byReason.get('executor-lost') ?? 0) + transit);
    return {
      sent: this.sent + transit,
      processed: this.processed,
      dead: this.dead + transit,
      actors: this.transitActors,
      byReason,
    };
  }

  counts(): FaultCounts {
    return {
      hung: this.hung,
      crashed: this.crashed,
      replaced: this.replaced,
      quarantined: [...this.quarantined],
      lostMessages: this.totals().byReason.get('executor-lost') ?? 0,
    };
  }

  /**
   * Steps 1–6 for node `node`; resolves when survivors know and the replacement runs (or failed).
   * Never rejects: a runtime bug here is reported as `executor.recovery-failed`, it must not take
   * the main thread down with the executor.
   */
  async lost(
    node: number,
    kind: LossKind,
    running: RunningRecord,
    detail: { code?: number; error?: string; silentMs?: number },
  ): Promise<void> {
    try {
      await this.recover(node, kind, running, detail);
    } catch (e) {
      this.port.host.emit({
        type: 'executor.recovery-failed',
        at: this.port.host.clock.now(),
        executor: node,
        error: String(e),
      });
    }
  }

  /**
   * Step 1: keep a lost node's counters; also used alone for an executor that shutdown terminated because it would not answer (a stuck
   * handler): its published counters stay in the totals and what it still held is dead-lettered
   * with `reason`, so `sent = processed + deadLettered` holds after a forced shutdown too.
   */
  account(node: number, reason: string): number {
    const { board } = this.port;
    const sent = board.get(node, SLOT.sent);
    const processed = board.get(node, SLOT.processed);
    const dead = board.get(node, SLOT.dead);
    const queued = Math.max(0, sent - processed - dead);
    // What left or arrived with migrating actors stays in the sum as the live rows count it (row-stats.ts).
    this.sent += sent + board.get(node, SLOT.moved);
    this.processed += processed;
    this.dead += dead + queued;
    for (const [r, c] of Object.entries(board.reasons(node)))
      this.byReason.set(r, (this.byReason.get(r) ?? 0) + c);
    if (queued > 0) this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + queued);
    this.transitActors += board.get(node, SLOT.snapshotsOut) - board.get(node, SLOT.snapshotsIn);
    this.lostNodes.push(node);
    return queued;
  }

  private async recover(
    node: number,
    kind: LossKind,
    running: RunningRecord,
    detail: { code?: number; error?: string; silentMs?: number },
  ): Promise<void> {
    const { host, board } = this.port;
    const detectedAt = performance.now();
    const group = board.get(node, SLOT.group);
    // Step 1.
    const queued = this.account(node, 'executor-lost');
    this.queuedLost += queued;
    // Step 2.
    const reason = kind === 'hung' ? 'executor-hung' : 'executor-crashed';
    (this.port.link.lost ??= new Map()).set(node, reason);
    if (kind === 'hung') this.hung++;
    else this.crashed++;
    const culprit =
      running.actor === 0
        ? undefined
        : { actor: { id: running.actor, def: running.def ?? '?' }, messageType: running.messageType };
    host.emit({
      type: kind === 'hung' ? 'executor.hung' : 'executor.crashed',
      at: host.clock.now(),
      executor: node,
      group,
      culprit,
      actors: board.get(node, SLOT.actors),
      lostMessages: queued,
      ...detail,
    });
    // Step 3.
    const survivors = this.port.survivors();
    const reports = await Promise.allSettled(
      survivors.map((n) =>
        this.port.request<{ hosted: number[]; lost: number[] }>(n, REQ_LOST, [node, reason], ANSWER_MS),
      ),
    );
    const rehome: [number, number][] = [];
    const lostIds: number[] = [];
    reports.forEach((r, i) => {
      if (r.status !== 'fulfilled') return;
      for (const id of r.value.hosted) rehome.push([id, survivors[i]!]);
      lostIds.push(...r.value.lost);
    });
    // Step 4.
    const info: LostInfo = { node, reason, rehome, lost: lostIds };
    this.port.forget(applyLost(this.port.link, host, info).isLost);
    await Promise.allSettled(survivors.map((n) => this.port.request(n, REQ_LOST_ACTORS, [info], ANSWER_MS)));
    // Step 5.
    if (running.def !== undefined && running.actor !== 0) this.countAgainst(running.def, culprit);
    // Step 6.
    if (!host.accepting) return;
    try {
      const replacement = await this.port.replace(group);
      this.replaced++;
      host.emit({
        type: 'executor.replaced',
        at: host.clock.now(),
        executor: node,
        replacement,
        group,
        culprit,
        reason,
        ms: performance.now() - detectedAt,
      });
    } catch (e) {
      host.emit({
        type: 'executor.replace-failed',
        at: host.clock.now(),
        executor: node,
        group,
        error: String(e),
      });
    }
  }

  /** Step 5. */
  private countAgainst(def: string, culprit: unknown): void {
    if (this.quarantined.has(def)) return;
    const now = performance.now();
    const { maxLosses, windowMs } = this.port.faults.breaker;
    const times = (this.losses.get(def) ?? []).filter((t) => now - t <= windowMs);
    times.push(now);
    this.losses.set(def, times);
    if (times.length < maxLosses) return;
    this.quarantined.add(def);
    this.port.host.emit({
      type: 'executor.circuit-opened',
      at: this.port.host.clock.now(),
      def,
      losses: times.length,
      windowMs,
      culprit,
    });
    for (const n of this.port.survivors())
      void this.port.request(n, REQ_QUARANTINE, [def], ANSWER_MS).catch(() => {});
  }
}

// ---- survivor side (executors, and the main thread for step 4) -------------

/** Step 3 on a survivor: its actors born on `lost`, and its directory entries that pointed there. */
export function survivorReport(
  link: RecoveryLink,
  host: Host,
  lost: number,
  reason: string,
): { hosted: number[]; lost: number[] } {
  // Nothing more is posted to the lost node (the pool's disconnect may come later, by another port):
  // an ask posted there after step 4 would wait for its timeout.
  if (link.channels.has(lost)) link.disconnect(lost);
  (link.lost ??= new Map()).set(lost, reason);
  // An actor arriving from (or born on) the lost node lives on here: its fence will never come.
  link.settleArrivals(lost);
  const hosted: number[] = [];
  for (const id of host.cells.keys()) if (id % NODE_SPACE === lost) hosted.push(id);
  const gone: number[] = [];
  for (const m of [link.loc, link.forward, link.rehomed ?? new Map<number, number>()])
    for (const [id, n] of m)
      if (n === lost) {
        gone.push(id);
        m.delete(id);
      }
  return { hosted, lost: gone };
}

/** Step 4 on every node: watchers, pending asks, routing. Says how many watchers and asks it settled. */
export function applyLost(
  link: RecoveryLink,
  host: Host,
  info: LostInfo,
): { settled: number; isLost: (id: number) => boolean } {
  const rehomed = (link.rehomed ??= new Map());
  for (const [id, holder] of info.rehome) rehomed.set(id, holder);
  const lostSet = new Set(info.lost);
  // Survivors of an earlier loss that had been rehomed onto this node.
  for (const [id, n] of rehomed)
    if (n === info.node) {
      lostSet.add(id);
      rehomed.delete(id);
    }
  const isLost = (id: number) => lostSet.has(id) || (id % NODE_SPACE === info.node && !rehomed.has(id));
  let settled = 0;
  for (const cell of host.cells.values()) {
    if (cell.watching === null || cell.status !== ALIVE) continue;
    for (const r of cell.watching.values())
      if (isLost(r.id)) {
        cell.system(terminatedMsg(r, info.reason));
        settled++;
      }
  }
  loseLinks(host.cells.values(), isLost, info.reason);
  (link.lost ??= new Map()).set(info.node, info.reason);
  const asks = link.asks;
  const resend: Item[] = [];
  if (asks !== null)
    for (const [askId, { item, hop }] of asks) {
      if ((item.meta as AskHandle).settled) asks.delete(askId);
      else if (isLost(item.ref.id)) {
        asks.delete(askId);
        if (sysOf(item)?.tag === 'stop') host.settleExported(askId, true, undefined);
        else host.settleExported(askId, false, new ActorStoppedError(item.ref.toJSON(), info.reason));
        settled++;
      } else if (hop === info.node && item.k !== K_TELL) {
        asks.delete(askId);
        resend.push(item);
      }
    }
  for (const item of resend) link.dispatch(item, 0, false);
  return { settled, isLost };
}

/** Step 5 on an executor: stop the definition's actors; the caller refuses new spawns of it. */
export function quarantine(host: Host, def: string): number {
  let n = 0;
  for (const c of [...host.cells.values()])
    if (c.def.name === def && c.status === ALIVE) {
      c.requestStop('circuit-open');
      n++;
    }
  return n;
}

/**
 * An item for an actor born on a node lost for `why` that lives nowhere else: dead-lettered
 * `stopped` (the actor is gone; `executor-lost` counts what was lost inside the executor), and
 * its ask rejects — a watch terminates — naming how the executor was lost, as the asks pending
 * when it was (step 4): never `no-such-actor`, never a timeout.
 */
export function deadLost(host: Host, item: Item, why: string): void {
  if (sysOf(item)?.tag === 'watch') deadItem(host, item, why);
  else deadItem(host, item, 'stopped', new ActorStoppedError(item.ref.toJSON(), why));
}

/** An item this node posted and awaits the answer to (its meta is the exported AskHandle). */
export interface Tracked {
  readonly item: Item;
  /** The node it was posted to: the target's holder, or a hop on the way (its birth node). */
  readonly hop: number;
}

/**
 * Records an item awaiting its answer from another node (step 4 settles it when its target, or the
 * node it went through, is lost). A settled ask is dropped as it settles (`ThreadLink.forgetAsk`),
 * so the map holds only pending ones.
 */
export function trackAsk(asks: Map<number, Tracked>, askId: number, item: Item, hop: number): void {
  if (!(item.meta as AskHandle).settled) asks.set(askId, { item, hop });
}
