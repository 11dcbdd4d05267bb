import {
  F_ARRIVED,
  F_FENCE,
  F_GONE,
  F_SETTLE,
  F_SNAPSHOT,
  F_SYNC,
  F_SYNCED,
  K_TELL,
  W_ROUTE,
  W_TELL,
  W_TELL_FWD,
} from '@troupe/scheduler';
import { AskHandle } from '../kernel/ask.ts';
import type { ActorCell } from '../kernel/cell.ts';
import { HOLD_SYNC, MIGRATED } from '../kernel/cell.ts';
import { Envelope, unwrap } from '../kernel/envelope.ts';
import { UnserializableError } from '../kernel/errors.ts';
import type { DeadLetterReason, MigrationReason } from '../kernel/events.ts';
import { type HostPlugin, NODE_SPACE } from '../kernel/host.ts';
import { ActorRef } from '../kernel/ref.ts';
import { RemoteAsk } from '../kernel/remote-ask.ts';
import { checkPortable } from '../kernel/snapshot.ts';
import { type Ack, failedMsg, type SysMsg } from '../kernel/sysmsg.ts';
import type { Transport } from '../kernel/transport.ts';
import { portableReport, settlement } from './errors-wire.ts';
import { applyItem, deadItem, type Item, sysItem, sysOf, tellItem } from './items.ts';
import { LinkWire } from './link-wire.ts';
import { deadLost, type Tracked, trackAsk } from './recovery.ts';
import { encodeSys } from './sysmsg-codec.ts';

/** A system message of the executors (kernel/sysmsg.ts `ext`): move to executor `payload`, then acknowledge. */
export const MIGRATE = 'executors.migrate';

/** An actor arriving here (migration step 2, link.ts), and what routing buffered for it until its fence. */
export interface Arrival {
  /** Running its snapshot's messages, not yet registered (step 2); null when it could not be rehydrated. */
  readonly cell: ActorCell | null;
  readonly error: unknown;
  /** The holder it came from (step 1). */
  readonly from: number;
  readonly reason: MigrationReason;
  readonly earlier: Item[];
  readonly later: Item[];
}

export const birthOf = (id: number): number => id % NODE_SPACE;

export abstract class LinkRouting extends LinkWire implements Transport {
  /** Birth side: where an actor born here lives now (absent: here, or gone). */
  readonly loc = new Map<number, number>();
  /** Former holder: next hop until the fence passes. */
  readonly forward = new Map<number, number>();
  readonly arrivals = new Map<number, Arrival>();
  /** Asks exported to another node, by ask id: [target actor id, handle] (recovery rejects those of lost actors). */
  asks: Map<number, Tracked> | null = null;
  /** Actors whose birth node was lost, by id: the node that holds them now (recovery.ts). */
  rehomed: Map<number, number> | null = null;
  /** Lost nodes and why (recovery.ts): an item for an actor born there that lives nowhere else dies with that reason. */
  lost: Map<number, string> | null = null;

  /** Migration steps 1–5 (link.ts). */
  abstract migrateOut(cell: ActorCell, to: number, reason: MigrationReason): void;
  protected abstract onSnapshot(
    id: number,
    bytes: Uint8Array,
    from: number,
    reason: MigrationReason,
    sent: number[],
  ): void;
  protected abstract onArrived(id: number, holder: number, target: number): void;
  protected abstract onFence(id: number): void;

  // ---- Transport ----------------------------------------------------------

  sendUser(ref: ActorRef, msg: unknown, meta: unknown): boolean {
    const t = typeof msg;
    // Numbers, booleans, bigints and undefined always cross; a string may hold a lone surrogate.
    if (t === 'object' ? msg !== null : t === 'string' || t === 'function' || t === 'symbol') {
      const p = checkPortable(msg, 'message');
      if (p !== undefined) {
        this.host.stats.sent++;
        this.host.deadLetter(
          msg,
          meta,
          'unserializable',
          ref,
          new UnserializableError('a message', p.path, p.found, ref.toJSON(), p.limit),
        );
        return true;
      }
    }
    // Hot path: a tell to an actor born elsewhere while nothing here is in
    // transit — routing step 5 without building an item.
    if (
      (meta === undefined || meta instanceof ActorRef) &&
      this.arrivals.size === 0 &&
      this.forward.size === 0
    ) {
      const birth = ref.id % NODE_SPACE;
      if (birth !== this.node && this.channels.has(birth)) {
        this.pushTell(this.out(birth, ref, meta), ref, msg, meta);
        this.watchdog?.sentTo(this.node, birth);
        return true;
      }
    }
    this.dispatch(tellItem(ref, msg, meta), 0, false);
    return true;
  }

  sendSystem(ref: ActorRef, m: SysMsg, ack?: Ack): void {
    // A failure report must cross even when its error cannot: the parent decides on its description.
    if (m.tag === 'failed') m = failedMsg(m.child, portableReport(m.error, 'error'), m.phase);
    this.dispatch(sysItem(ref, m, ack), 0, false);
  }

  settle(node: number, askId: number, ok: boolean, value: unknown): void {
    // The asker's executor was lost: nobody is left to answer (recovery.ts).
    if (!this.channels.has(node) && this.rehomed !== null) return;
    this.send(node, [F_SETTLE, askId, ...settlement(ok, value)]);
  }

  adopted(cell: ActorCell): void {
    this.onAdopted(cell);
  }

  unregistered(cell: ActorCell): void {
    if (cell.status === MIGRATED) {
      const r = this.tables.cached(cell.id);
      if (r === undefined) this.tables.keep(cell.ref);
      // Re-bound by an earlier arrival (onFence): it must not keep the cell the actor just left.
      else if (r.cell === cell) r.cell = null;
      return;
    }
    this.tables.forget(cell.id);
    const birth = birthOf(cell.id);
    if (birth !== this.node && this.channels.has(birth)) this.send(birth, [F_GONE, cell.id]);
    this.onGone(cell);
  }

  forgetAsk(askId: number): void {
    this.asks?.delete(askId);
  }

  /** Callbacks for the executor / main side (names, events). */
  onAdopted: (cell: ActorCell) => void = () => {};
  onGone: (cell: ActorCell) => void = () => {};

  /**
   * The link's kernel hooks, for its host's `start` (with `connect`, its whole attachment): cells
   * coming and going keep the ref tables and the directory true, a settled ask leaves the ask ledger,
   * and the `MIGRATE` system message moves an actor.
   */
  plugin(): HostPlugin {
    return {
      name: 'executors.link',
      install: (api) => {
        api.onAdopt((cell) => this.adopted(cell));
        api.onGone((cell) => this.unregistered(cell));
        api.onAskSettled((askId) => this.forgetAsk(askId));
        api.onExt(MIGRATE, {
          at: 'arrival',
          apply: (cell, to, ack) => {
            try {
              this.migrateOut(cell, to as number, 'migrate');
              ack?.resolve(undefined);
            } catch (e) {
              ack?.reject(e);
            }
          },
        });
      },
    };
  }

  // ---- routing ------------------------------------------------------------

  /** Routing steps 1–5 (module header). */
  dispatch(item: Item, fwd: number, fromFrame: boolean): void {
    const id = item.ref.id;
    const cell = this.host.cells.get(id);
    if (cell !== undefined) {
      this.apply(cell, item);
      return;
    }
    const arr = this.arrivals.get(id);
    if (arr !== undefined) {
      (fwd ? arr.earlier : arr.later).push(item);
      return;
    }
    const next = this.forward.get(id);
    if (next !== undefined) {
      this.sendItem(next, item, 1);
      return;
    }
    const birth = birthOf(id);
    if (birth === this.node) {
      const l = this.loc.get(id);
      if (l !== undefined && this.channels.has(l)) this.sendItem(l, item, 0);
      else this.dead(item, 'stopped');
      return;
    }
    if (!fromFrame && this.channels.has(birth)) this.sendItem(birth, item, 0);
    else {
      const home = this.rehomed?.get(id);
      if (home !== undefined && this.channels.has(home)) this.sendItem(home, item, 0);
      else {
        const why = this.lost?.get(birth);
        if (why !== undefined) deadLost(this.host, item, why);
        else this.dead(item, fromFrame ? 'stopped' : 'no-such-actor');
      }
    }
  }

  private sendItem(node: number, item: Item, fwd: number): void {
    const m = item.meta;
    if (item.k === K_TELL && (m === undefined || m instanceof ActorRef)) {
      // The hot path: a tell is 4 tokens (code, target id, message, sender id or 0).
      this.out(node, item.ref, m).push(
        fwd ? W_TELL_FWD : W_TELL,
        item.ref.id,
        item.a,
        m === undefined ? 0 : m.id,
      );
      this.watchdog?.sentTo(this.node, node);
      return;
    }
    // An ask, a message an interceptor enveloped (its data rides along), or a system message.
    const inner = unwrap(m) as ActorRef | AskHandle | undefined;
    const sender = inner instanceof AskHandle ? inner.sender : inner;
    const out = this.out(node, item.ref, sender);
    const meta = this.encodeMeta(inner);
    const a = item.k === K_TELL ? item.a : encodeSys(item.a as SysMsg);
    out.push(W_ROUTE, item.ref.id, fwd, item.k, a, meta, m instanceof Envelope ? [m.data] : null);
    if (item.k === K_TELL) this.watchdog?.sentTo(this.node, node);
    // What this node awaits — an ask, a stop or a migration, a deadlock withdrawal's acknowledgement —
    // settles when its target or the node it went through is lost (recovery.ts step 4).
    if (this.asks !== null && Array.isArray(meta) && !(inner instanceof RemoteAsk))
      trackAsk(this.asks, meta[1], item, node);
  }

  private apply(cell: ActorCell, item: Item): void {
    // An actor that arrived and may not act yet moves again once it may (sender-sync.ts).
    const m = sysOf(item);
    if (m !== undefined && m.tag === 'ext' && m.kind === MIGRATE && (cell.hold & HOLD_SYNC) !== 0)
      this.sync.whenReleased(cell, () => this.dispatch(item, 0, true));
    else applyItem(this.host, cell, item);
  }

  protected dead(item: Item, reason: DeadLetterReason, error?: unknown): void {
    deadItem(this.host, item, reason, error);
  }

  protected handle(from: number, f: unknown[]): void {
    switch (f[0]) {
      case F_SETTLE:
        this.host.settleExported(f[1] as number, f[2] as boolean, f[3]);
        return;
      case F_SNAPSHOT:
        this.onSnapshot(
          f[1] as number,
          f[2] as Uint8Array,
          f[3] as number,
          f[4] as MigrationReason,
          f[5] as number[],
        );
        return;
      case F_ARRIVED:
        this.onArrived(f[1] as number, f[2] as number, f[3] as number);
        return;
      case F_FENCE:
        this.onFence(f[1] as number);
        return;
      case F_GONE:
        if (this.loc.get(f[1] as number) === from) this.loc.delete(f[1] as number);
        return;
      case F_SYNC:
        this.sync.onSync(from, f[1] as number, f[2] as number, f[3] as number);
        return;
      case F_SYNCED:
        this.sync.onSynced(f[1] as number);
        return;
      default:
        this.onControl(from, f);
    }
  }
}
