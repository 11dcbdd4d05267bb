/**
 * ThreadLink: one host's Transport in threaded mode (kernel/transport.ts) —
 * routing, the directory and the migration handshake between threads.
 *
 * Directory: an actor id embeds its birth node N. N is the rendezvous for
 * every message from a thread where the actor is not: N knows the actor's
 * location (`loc`), every other sender sends to N. A former holder keeps a
 * `forward` entry until the handshake below says no more messages can reach
 * it. Routing an item (items.ts: a user message, or a system message —
 * stop, watch, terminated, failed, directive, migrate, …) on a host:
 * 1. the actor has a cell here → apply it;
 * 2. the actor is arriving here (snapshot received, not yet fenced) → buffer:
 *    forwarded items (`fwd`) before, everything else after the fence;
 * 3. a `forward` entry exists → pass it on, marked `fwd`;
 * 4. this is N → send to `loc`, or dead-letter when the actor is gone;
 * 5. a local send elsewhere → send to N; an inbound frame → dead-letter
 *    `stopped` (the actor stopped here and N has not heard yet).
 *
 * Migration handshake (holder H, target T, birth N), keeping per-pair FIFO:
 * 1. H detaches the actor (snapshot), sets forward → T, posts every batch it
 *    holds for other executors (what the actor sent is in them) and sends the
 *    snapshot to T with the count of batches it posted to each executor.
 * 2. T rehydrates the actor unregistered. Once every executor H posted to has
 *    read those batches (sender-sync.ts; at once when H posted to none but T)
 *    it starts on the messages of its snapshot, before the fence (early
 *    activation: a steal's thief works while the handshake runs): what it
 *    sends from T then trails, at every first hop, what it sent from H. T
 *    records the arrival and tells N `arrived(H, T)`.
 *    Everything else for the actor, from any thread and from T itself, is
 *    routed (it has no cell here yet) and so buffered.
 * 3. N sets `loc` to T and sends `fence` to H (or straight to T when N = H,
 *    dropping its forward entry).
 * 4. H passes the fence on to T behind every item it forwarded, and drops its
 *    forward entry: after the fence nothing can reach H for this actor.
 * 5. T registers the actor and delivers the buffered items, forwarded ones
 *    first, behind whatever is left of the snapshot's messages. Only now (and
 *    once step 2's reads are confirmed) may the actor move again; a
 *    `system.migrate` arriving before waits for them.
 * Every hop is one FIFO MessagePort, and every item for the actor that left
 * N before step 3 travels behind the snapshot or ahead of the fence, so two
 * messages from one sender are never reordered: the snapshot's messages were
 * all received before anything buffered was sent on from H, and no ref, not
 * even the actor's own, points at the unregistered cell.
 */

import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import {
  type Activity,
  type Board,
  Channel,
  F_ARRIVED,
  F_FENCE,
  F_GONE,
  F_SETTLE,
  F_SNAPSHOT,
  F_SYNC,
  F_SYNCED,
  K_TELL,
  SenderSync,
  SLOT,
  W_DEF,
  W_FRAME,
  W_RESET,
  W_ROUTE,
  W_TELL,
  W_TELL_FWD,
  W_TELLS,
  type WatchdogBoard,
} from '@troupe/scheduler';
import { WITHDRAW } from '../features/deadlock/plugin.ts';
import { AskHandle, PendingAsk } from '../kernel/ask.ts';
import type { ActorCell } from '../kernel/cell.ts';
import { ALIVE, HOLD_SYNC, MIGRATED, STOPPED } from '../kernel/cell.ts';
import { Envelope, unwrap } from '../kernel/envelope.ts';
import { ConfigError, formatValue, UnserializableError } from '../kernel/errors.ts';
import type { DeadLetterReason, MigrationReason } from '../kernel/events.ts';
import { type Host, type HostPlugin, NODE_SPACE } from '../kernel/host.ts';
import { ActorRef } from '../kernel/ref.ts';
import { RemoteAsk } from '../kernel/remote-ask.ts';
import {
  abandonSnapshot,
  adoptArrived,
  checkPortable,
  decodeFor,
  dehydrate,
  rehydrateCell,
} from '../kernel/snapshot.ts';
import { type Ack, extMsg, failedMsg, type SysMsg, stopMsg } from '../kernel/sysmsg.ts';
import type { Transport } from '../kernel/transport.ts';
import { portableReport, settlement } from './errors-wire.ts';
import { applyItem, deadItem, type Item, sysItem, sysOf, tellItem } from './items.ts';
import { crossLinks, immovable } from './links.ts';
import { deadLost, type Tracked, trackAsk } from './recovery.ts';
import { RefTables } from './ref-tables.ts';
import { decodeSys, encodeSys } from './sysmsg-codec.ts';
import { type BatchOwner, resendBatch } from './unsendable.ts';
import type { WireMeta } from './wire.ts';

/** A system message of the executors (kernel/sysmsg.ts `ext`): move to executor `payload`, then acknowledge. */
export const MIGRATE = 'executors.migrate';

interface Arrival {
  /** Running its snapshot's messages, not yet registered (step 2); null when it could not be rehydrated. */
  readonly cell: ActorCell | null;
  readonly error: unknown;
  /** The holder it came from (step 1). */
  readonly from: number;
  readonly reason: MigrationReason;
  readonly earlier: Item[];
  readonly later: Item[];
}

const birthOf = (id: number): number => id % NODE_SPACE;

export class ThreadLink implements Transport {
  readonly channels = new Map<number, Channel>();
  /** Birth side: where an actor born here lives now (absent: here, or gone). */
  readonly loc = new Map<number, number>();
  /** Former holder: next hop until the fence passes. */
  readonly forward = new Map<number, number>();
  readonly arrivals = new Map<number, Arrival>();
  /** Snapshots sent / received (board SLOT.snapshotsOut/In: actors in flight are counted by those). */
  snapshotsOut = 0;
  snapshotsIn = 0;
  /** Frames other than routing (spawn, steal, events…), handled by the executor or main side. */
  onControl: (from: number, frame: unknown[]) => void = () => {};
  /** Called after each inbound batch (executors publish their counters). */
  afterBatch: () => void = () => {};
  /** Transit ledger of user-message frames (recovery.ts accounts a lost node's with it). */
  watchdog: WatchdogBoard | null = null;
  /** Asks exported to another node, by ask id: [target actor id, handle] (recovery rejects those of lost actors). */
  asks: Map<number, Tracked> | null = null;
  /** Actors whose birth node was lost, by id: the node that holds them now (recovery.ts). */
  rehomed: Map<number, number> | null = null;
  /** Lost nodes and why (recovery.ts): an item for an actor born there that lives nowhere else dies with that reason. */
  lost: Map<number, string> | null = null;

  /** Ref definitions per channel and the one ref object per remote id (ref-tables.ts). */
  private readonly tables: RefTables;

  constructor(
    readonly host: Host,
    readonly board: Board | null,
  ) {
    this.tables = new RefTables(host);
    this.sync = new SenderSync({
      node: host.node,
      posted: (n) => this.channels.get(n)?.batches,
      connected: (n) => this.channels.has(n),
      sendUrgent: (n, f) => this.sendUrgent(n, f),
    });
  }

  /** Per-pair FIFO for actors that move while their messages travel (sender-sync.ts). */
  private readonly sync: SenderSync;

  get node(): number {
    return this.host.node;
  }

  connect(node: number, port: MessagePort): void {
    const ch = new Channel(port, (tokens, e) => this.unsendable(node, tokens, e));
    const board = this.board;
    if (board !== null) {
      ch.bell = () => board.ring(node);
      ch.posted = () => board.post(node);
    }
    this.channels.set(node, ch);
    this.pumpOrder = null;
    this.tables.connect(node);
    port.on('message', (bytes: Uint8Array) => this.receive(node, bytes));
  }

  disconnect(node: number): void {
    this.channels.get(node)?.port.close();
    this.channels.delete(node);
    this.pumpOrder = null;
    this.tables.disconnect(node);
    this.forgetLast();
    this.sync.lost(node);
  }

  /**
   * Handles one batch waiting in a port now, in place (a drain between
   * turns, or an idle executor's spin), instead of from the event loop; ports
   * take turns. One batch per call, as the event loop runs microtasks (the
   * drain) between two port messages: a request in a later batch than a
   * fault never overtakes the fault's turn. True when one was handled.
   */
  pump(): boolean {
    const chs = (this.pumpOrder ??= [...this.channels]);
    for (let k = 0; k < chs.length; k++) {
      const [node, ch] = chs[(this.pumpFrom + k) % chs.length]!;
      const m = receiveMessageOnPort(ch.port);
      if (m !== undefined) {
        this.pumpFrom = (this.pumpFrom + k + 1) % chs.length;
        this.receive(node, m.message as Uint8Array);
        return true;
      }
    }
    return false;
  }

  private pumpFrom = 0;
  /** The channels in the order `pump` visits them; rebuilt after a node connects or leaves. */
  private pumpOrder: [number, Channel][] | null = null;

  /** Batches posted to other nodes so far. */
  batchesOut(): number {
    let n = 0;
    for (const ch of this.channels.values()) n += ch.batches;
    return n;
  }

  /** Posts every batch being filled now, instead of when this synchronous run ends. */
  flushAll(): void {
    for (const ch of this.channels.values()) ch.flush();
  }

  /** Sends a non-routing frame ([code, ...fields]) to `node`. */
  send(node: number, frame: unknown[]): void {
    const ch = this.channels.get(node);
    if (ch === undefined) throw new ConfigError('executor', `a connected node`, node);
    ch.out().push(W_FRAME, frame);
  }

  /** `send`, and ring `node`'s doorbell once the batch is posted: it yields its drain early to handle it. */
  sendUrgent(node: number, frame: unknown[]): void {
    this.send(node, frame);
    this.channels.get(node)!.urgent = true;
  }

  /**
   * The batch for `node` with `ref` defined on that channel: a ref crosses a
   * channel as (id, name, def) once, then as its id (wire format above).
   */
  private out(node: number, ref: ActorRef, sender: ActorRef | undefined): unknown[] {
    // A stream of tells between the same two actors skips the lookups below.
    if (ref === this.lastRef && sender === this.lastSender && node === this.lastNode)
      return this.lastCh!.out();
    const ch = this.channels.get(node);
    if (ch === undefined) throw new ConfigError('executor', `a connected node`, node);
    const out = ch.out();
    if (this.tables.define(node, out, ref, sender)) this.run = null; // no W_TELLS run continues across a reset
    this.lastRef = ref;
    this.lastSender = sender;
    this.lastNode = node;
    this.lastCh = ch;
    return out;
  }

  private lastRef: ActorRef | null = null;
  private lastSender: ActorRef | undefined = undefined;
  private lastNode = -1;
  private lastCh: Channel | null = null;

  private forgetLast(): void {
    this.lastRef = null;
    this.lastNode = -1;
    this.lastCh = null;
    this.run = null;
  }

  /**
   * The tell open at the end of a batch, while nothing follows it: a single
   * W_TELL (`runCountAt` < 0) or a W_TELLS run (`runCountAt` = its count's
   * index); `runEnd` is the batch's length just after it.
   */
  private run: unknown[] | null = null;
  private runRef: ActorRef | null = null;
  private runSender: ActorRef | undefined = undefined;
  private runCountAt = -1;
  private runEnd = 0;

  /**
   * Appends a tell to `out`. A second tell of the same pair right behind the
   * first turns that W_TELL into a W_TELLS run, and later ones join the run:
   * a stream costs one token per message, while tells that alternate between
   * actors stay four tokens each (a run header would cost them five).
   */
  private pushTell(out: unknown[], ref: ActorRef, msg: unknown, sender: ActorRef | undefined): void {
    if (out === this.run && ref === this.runRef && sender === this.runSender && out.length === this.runEnd) {
      if (this.runCountAt < 0) {
        const p = out.length - 4; // [W_TELL, id, msg₁, sid] → [W_TELLS, id, sid, 2, msg₁, msg]
        const first = out[p + 2];
        out[p] = W_TELLS;
        out[p + 2] = out[p + 3];
        out[p + 3] = 2;
        out.push(first, msg);
        this.runCountAt = p + 3;
      } else {
        out.push(msg);
        out[this.runCountAt] = (out[this.runCountAt] as number) + 1;
      }
      this.runEnd = out.length;
      return;
    }
    out.push(W_TELL, ref.id, msg, sender === undefined ? 0 : sender.id);
    this.run = out;
    this.runRef = ref;
    this.runSender = sender;
    this.runCountAt = -1;
    this.runEnd = out.length;
  }

  /** The ref for an id defined on a channel (`defs`: its definitions), or local. */
  private refOf(id: number, defs: Map<number, ActorRef>): ActorRef {
    return this.host.cells.get(id)?.ref ?? defs.get(id) ?? this.intern(id, undefined, '?');
  }

  /** Time spent taking inbound batches apart (decode, deliver, route), ms: busy time outside drains. */
  receiveMs = 0;

  /** Batches taken from the ports so far: fewer than the board's `posts` for this node means some wait unread. */
  batchesIn = 0;
  /** Marks this node active and publishes `batchesIn` before a batch is handled (scheduler activity.ts). */
  activity: Activity | null = null;

  private receive(from: number, bytes: Uint8Array): void {
    this.activity?.read(++this.batchesIn);
    const t0 = performance.now();
    let t: unknown[];
    try {
      t = decodeFor<unknown[]>(this.host, bytes);
    } catch (e) {
      // Values are checked before they leave (depth included), so this is a runtime bug; it must
      // not take the thread down. What the batch held stays in flight in stats(), where it shows.
      this.host.emit({
        type: 'system.batch-undecodable',
        at: this.host.clock.now(),
        node: this.node,
        from,
        bytes: bytes.byteLength,
        error: formatValue(e),
      });
      this.sync.afterRead(from);
      this.afterBatch();
      return;
    }
    const n = t.length;
    const defs = this.tables.from(from);
    let i = 0;
    while (i < n) {
      const code = t[i];
      try {
        switch (code) {
          case W_DEF:
            i += 4;
            defs.set(
              t[i - 3] as number,
              this.intern(t[i - 3] as number, (t[i - 2] as string | null) ?? undefined, t[i - 1] as string),
            );
            break;
          case W_RESET:
            i += 1;
            defs.clear();
            break;
          case W_TELL:
          case W_TELL_FWD: {
            i += 4;
            this.watchdog?.receivedFrom(this.node, from);
            const id = t[i - 3] as number;
            const sid = t[i - 1] as number;
            const sender = sid === 0 ? undefined : this.refOf(sid, defs);
            const cell = this.host.cells.get(id);
            if (cell !== undefined) cell.accept(t[i - 2], sender);
            else
              this.dispatch(
                tellItem(this.refOf(id, defs), t[i - 2], sender),
                code === W_TELL_FWD ? 1 : 0,
                true,
              );
            break;
          }
          case W_TELLS: {
            const id = t[i + 1] as number;
            const sid = t[i + 2] as number;
            const first = i + 4;
            i = first + (t[i + 3] as number);
            this.watchdog?.receivedFrom(this.node, from, i - first);
            this.tells(id, sid === 0 ? undefined : this.refOf(sid, defs), t, first, i, defs);
            break;
          }
          case W_ROUTE: {
            i += 7;
            const k = t[i - 4] as number;
            if (k === K_TELL) this.watchdog?.receivedFrom(this.node, from);
            this.dispatch(this.routed(t, i - 7, defs), t[i - 5] as number, true);
            break;
          }
          case W_FRAME:
            i += 2;
            this.handle(from, t[i - 1] as unknown[]);
            break;
          default:
            throw new Error(`corrupt batch from node ${from}: token ${String(code)} at ${i} (runtime bug)`);
        }
      } catch (e) {
        // A runtime bug must not take the thread down with the rest of the batch.
        queueMicrotask(() => {
          throw e;
        });
        if (
          code !== W_DEF &&
          code !== W_RESET &&
          code !== W_TELL &&
          code !== W_TELL_FWD &&
          code !== W_TELLS &&
          code !== W_ROUTE &&
          code !== W_FRAME
        )
          break;
      }
    }
    this.receiveMs += performance.now() - t0;
    // Once its frames were handled (and what it forwarded queued): sender-sync.ts step 3.
    this.sync.afterRead(from);
    this.afterBatch();
  }

  /** Delivers tokens [first, end) of a W_TELLS run in order; one failing delivery loses no other. */
  private tells(
    id: number,
    sender: ActorRef | undefined,
    t: unknown[],
    first: number,
    end: number,
    defs: Map<number, ActorRef>,
  ): void {
    const cell = this.host.cells.get(id);
    const ref = cell === undefined ? this.refOf(id, defs) : null;
    for (let j = first; j < end; j++) {
      try {
        if (ref === null) cell!.accept(t[j], sender);
        else this.dispatch(tellItem(ref, t[j], sender), 0, true);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  private handle(from: number, f: unknown[]): void {
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

  /**
   * The item of the W_ROUTE record at t[i]: [W_ROUTE, id, fwd, kind, a, meta, env], where `meta`
   * is a WireMeta and `env` is null or [data] for a message an interceptor enveloped.
   */
  private routed(t: unknown[], i: number, defs: Map<number, ActorRef>): Item {
    const meta = this.decodeMeta(t[i + 5] as WireMeta, defs);
    const env = t[i + 6] as [unknown] | null;
    const k = t[i + 3] as number;
    return {
      k,
      ref: this.refOf(t[i + 1] as number, defs),
      a: k === K_TELL ? t[i + 4] : decodeSys(k, t[i + 4]),
      meta: env === null ? meta : new Envelope(meta, env[0]),
    };
  }

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

  /** The resolver this link registers with its host (kernel/transport.ts). */
  intern(id: number, name: string | undefined, def: string): ActorRef {
    return this.tables.intern(id, name, def);
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

  private dead(item: Item, reason: DeadLetterReason, error?: unknown): void {
    deadItem(this.host, item, reason, error);
  }

  /** Sender refs must already be defined on the channel (see `out`). */
  private encodeMeta(meta: ActorRef | AskHandle | undefined): WireMeta {
    if (meta === undefined) return null;
    if (meta instanceof ActorRef) return meta.id;
    // The call chain travels with the ask, so reentrancy (features/deadlock/reentrancy.ts) works across threads.
    const c = meta.chain;
    if (meta instanceof RemoteAsk)
      return c === 0
        ? [meta.node, meta.askId, meta.sender?.id ?? 0]
        : [meta.node, meta.askId, meta.sender?.id ?? 0, c];
    const id = this.host.exportAsk(meta);
    return c === 0 ? [this.node, id, meta.sender?.id ?? 0] : [this.node, id, meta.sender?.id ?? 0, c];
  }

  private decodeMeta(m: WireMeta, defs: Map<number, ActorRef>): ActorRef | AskHandle | undefined {
    if (m === null) return undefined;
    if (typeof m === 'number') return this.refOf(m, defs);
    const a = new RemoteAsk(m[0], m[1], m[2] === 0 ? undefined : this.refOf(m[2], defs), this.host);
    // The call chain travels with the ask (reentrancy across threads: items.ts `onRemoteAsk`).
    if (m.length === 4) a.chain = m[3];
    return a;
  }

  /** A batch for `node` failed to encode although its parts were checked: resend what encodes (unsendable.ts). */
  private unsendable(node: number, t: unknown[], error: unknown): void {
    // What was open at the batch's end is gone: no tell joins it any more.
    this.forgetLast();
    resendBatch(this.batchOwner, node, t, error);
  }

  private readonly batchOwner: BatchOwner = {
    link: this,
    settleCode: F_SETTLE,
    known: (node) => this.tables.sentTo(node),
    item: (t, i, known) => this.routed(t, i, known),
    tell: (id, msg, sid, known) =>
      tellItem(this.refOf(id, known), msg, sid === 0 ? undefined : this.refOf(sid, known)),
    dead: (item, error) => this.dead(item, 'unserializable', error),
    post: (node, tokens) => {
      const ch = this.channels.get(node);
      return ch === undefined ? new ConfigError('executor', 'a connected node', node) : ch.post(tokens);
    },
  };

  // ---- migration (handshake steps in the module header) -------------------

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
  private onSnapshot(
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
  private onArrived(id: number, holder: number, target: number): void {
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
  private onFence(id: number): void {
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

  close(): void {
    for (const ch of this.channels.values()) ch.close();
    this.channels.clear();
    this.pumpOrder = null;
  }
}
