import { F_ARRIVED, F_FENCE, F_SNAPSHOT, SLOT } from '@troupe/scheduler';
import { WITHDRAW } from '../features/deadlock/plugin.ts';
import { type AskHandle, PendingAsk } from '../kernel/ask.ts';
import type { ActorCell } from '../kernel/cell.ts';
import { ALIVE, STOPPED } from '../kernel/cell.ts';
import { ConfigError } from '../kernel/errors.ts';
import type { MigrationReason } from '../kernel/events.ts';
import type { ActorRef } from '../kernel/ref.ts';
import { abandonSnapshot, adoptArrived, dehydrate, rehydrateCell } from '../kernel/snapshot.ts';
import { extMsg, stopMsg } from '../kernel/sysmsg.ts';
import { sysItem } from './items.ts';
import { type Arrival, birthOf, LinkRouting, MIGRATE } from './link-routing.ts';
import { crossLinks, immovable } from './links.ts';

export type { Arrival };
export { MIGRATE };

export class ThreadLink extends LinkRouting {
  /** Snapshots sent / received (board SLOT.snapshotsOut/In: actors in flight are counted by those). */
  snapshotsOut = 0;
  snapshotsIn = 0;

  /**
   * Step 1. Throws ConfigError (pinned, busy) or UnserializableError; the actor then stays.
   * A steal's or `system.migrate`'s snapshot leaves at once, not when this thread's run ends, so
   * the target starts on it (step 2) while a steal encodes the next one or a long turn holds this
   * thread; placement, compaction and retirement leave it to the batch (a postMessage per spawn
   * would cost more than it gains).
   */
  migrateOut(cell: ActorCell, to: number, reason: MigrationReason): void {
    const now = reason === 'steal' || reason === 'migrate';
    if (to === this.node) return;
    if (!this.channels.has(to))
      throw new ConfigError(`migrate(${cell.ref}).executor`, 'a running executor', to);
    // Parent/child links, supervising or not, cross threads by ref (links.ts); a supervisor stays.
    const why = immovable(cell);
    if (why !== undefined) throw new ConfigError(`migrate(${cell.ref})`, why.expected, why.found);
    if (this.rehomed?.has(cell.id))
      throw new ConfigError(`migrate(${cell.ref})`, 'an actor whose birth executor is running', 'lost');
    if (this.arriving(cell))
      throw new ConfigError(`migrate(${cell.ref})`, 'an actor whose last migration is complete', 'arriving');
    // Links switch to refs before the snapshot records them (links.ts step 1); they work here as well
    // should dehydrate refuse the actor below.
    if (!cell.def.pinned && !cell.busy && cell.status === ALIVE) crossLinks(cell);
    const bytes = dehydrate(cell, true);
    this.forward.set(cell.id, to);
    this.board?.add(this.node, SLOT.migrations);
    this.snapshotsOut++;
    // What the actor sent before it left is posted before the snapshot, and counted: the target holds
    // it until those batches were read (sender-sync.ts). A placed actor never ran: it sent nothing.
    // The channel to the target may keep filling (a compaction moves several actors in one batch).
    let sent: number[] = [];
    if (reason !== 'placement') {
      for (const [n, ch] of this.channels) if (n !== to) ch.flush();
      sent = this.sync.departure(to, this.channels.keys());
    }
    this.send(to, [F_SNAPSHOT, cell.id, bytes, this.node, reason, sent]);
    if (now) this.channels.get(to)!.flush();
    this.host.emit({
      type: 'migration.started',
      at: this.host.clock.now(),
      actor: cell.desc,
      from: this.node,
      to,
    });
  }

  /** Step 2. */
  protected onSnapshot(
    id: number,
    bytes: Uint8Array,
    from: number,
    reason: MigrationReason,
    sent: number[],
  ): void {
    let cell: ActorCell | null = null;
    let error: unknown;
    try {
      cell = rehydrateCell(this.host, bytes, true);
    } catch (e) {
      error = e;
      abandonSnapshot(this.host, bytes, 'failed');
    }
    // The actor runs here from now on (early activation); it was spawned once, where it was born.
    if (cell !== null && this.host.events.hasListeners)
      this.host.emit({
        type: 'actor.migrated',
        at: this.host.clock.now(),
        actor: cell.desc,
        from,
        to: this.node,
        reason,
      });
    // It acts once what it sent before it left was read where it went (sender-sync.ts step 2).
    if (cell !== null) this.sync.arrive(cell, from, sent);
    this.arrivals.set(id, { cell, error, from, reason, earlier: [], later: [] });
    this.snapshotsIn++;
    const birth = birthOf(id);
    if (birth === this.node) this.onArrived(id, from, this.node);
    else this.sendUrgent(birth, [F_ARRIVED, id, from, this.node]);
  }

  /** Step 3 (on the birth node). */
  protected onArrived(id: number, holder: number, target: number): void {
    if (target === this.node) this.loc.delete(id);
    else this.loc.set(id, target);
    if (holder === this.node) {
      this.forward.delete(id);
      this.fence(target, id);
    } else if (this.channels.has(holder)) this.sendUrgent(holder, [F_FENCE, id]);
    // A lost holder forwards nothing more: the target completes on its own (`settleArrivals`).
  }

  /**
   * Recovery: arrivals whose birth executor or holder was `lost` will never
   * see their fence. Nothing more can come by those routes (what was in
   * flight is accounted as lost), so they complete now (step 5).
   */
  settleArrivals(lost: number): void {
    for (const [id, arr] of [...this.arrivals])
      if (birthOf(id) === lost || arr.from === lost) this.onFence(id);
  }

  private fence(to: number, id: number): void {
    if (to === this.node) this.onFence(id);
    else this.sendUrgent(to, [F_FENCE, id]);
  }

  /** Steps 4 and 5. */
  protected onFence(id: number): void {
    const arr = this.arrivals.get(id);
    if (arr === undefined) {
      const next = this.forward.get(id);
      this.forward.delete(id);
      if (next !== undefined) this.fence(next, id);
      return;
    }
    this.arrivals.delete(id);
    const cell = arr.cell;
    if (cell === null) {
      this.host.emit({ type: 'migration.failed', at: this.host.clock.now(), id, error: String(arr.error) });
      for (const it of arr.earlier) this.dead(it, 'failed');
      for (const it of arr.later) this.dead(it, 'failed');
      return;
    }
    // An actor that stopped while arriving is gone: what waited for it is dead-lettered by routing.
    if (cell.status !== STOPPED) {
      adoptArrived(this.host, cell);
      const r = this.tables.cached(id);
      if (r !== undefined) r.cell = cell;
    }
    for (const it of arr.earlier) this.dispatch(it, 0, true);
    for (const it of arr.later) this.dispatch(it, 0, true);
    this.host.emit({
      type: 'migration.completed',
      at: this.host.clock.now(),
      actor: cell.ref.toJSON(),
      to: this.node,
    });
  }

  /** Rehydrated here and running, but not fenced yet (migration step 2): it may not move again. */
  arriving(cell: ActorCell): boolean {
    return this.arrivals.get(cell.id)?.cell === cell;
  }

  /** `system.migrate` / placement: route a migrate request to wherever the actor is. */
  requestMigrate(ref: ActorRef, to: number, handle: AskHandle | undefined): void {
    this.dispatch(sysItem(ref, extMsg(MIGRATE, to), handle), 0, false);
  }

  /**
   * Deadlock resolution fails a local ask to a remote actor: its message, if still queued there, goes
   * first; `done` runs when the target's executor acknowledged (or the target or its executor is gone).
   */
  withdrawAsk(to: ActorRef, handle: AskHandle, done: () => void): void {
    const id = this.host.exportedIdOf(handle);
    if (id === undefined) done();
    else {
      const ack = new PendingAsk(done, done, undefined, this.host.clock);
      this.dispatch(sysItem(to, extMsg(WITHDRAW, [this.node, id]), ack), 0, false);
    }
  }

  requestStopAndWait(ref: ActorRef, handle: AskHandle): void {
    this.dispatch(sysItem(ref, stopMsg('stopped'), handle), 0, false);
  }
}
