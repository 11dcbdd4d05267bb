/**
 * LinkWire: the frame layer of a host's ThreadLink (link.ts). One Channel per
 * connected node; batches out, with each ref defined once per channel
 * (ref-tables.ts) and a stream of tells between the same two actors packed
 * into one W_TELLS run; batches in, decoded and taken apart record by record
 * — a tell straight to its cell when the actor is here, anything else to
 * routing (`dispatch`, link-routing.ts) — from the event loop or pumped by an
 * executor between turns. It knows the wire format (wire.ts), not where
 * actors live: routing and the migration handshake are its subclasses'.
 */

import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import {
  type Activity,
  type Board,
  Channel,
  F_SETTLE,
  K_TELL,
  SenderSync,
  W_DEF,
  W_FRAME,
  W_RESET,
  W_ROUTE,
  W_TELL,
  W_TELL_FWD,
  W_TELLS,
  type WatchdogBoard,
} from '@troupe/scheduler';
import type { AskHandle } from '../kernel/ask.ts';
import { Envelope } from '../kernel/envelope.ts';
import { ConfigError, formatValue } from '../kernel/errors.ts';
import type { DeadLetterReason } from '../kernel/events.ts';
import type { Host } from '../kernel/host.ts';
import { ActorRef } from '../kernel/ref.ts';
import { RemoteAsk } from '../kernel/remote-ask.ts';
import { decodeFor } from '../kernel/snapshot.ts';
import { type Item, tellItem } from './items.ts';
import { RefTables } from './ref-tables.ts';
import { decodeSys } from './sysmsg-codec.ts';
import { type BatchOwner, resendBatch } from './unsendable.ts';
import type { WireMeta } from './wire.ts';

export abstract class LinkWire {
  readonly channels = new Map<number, Channel>();
  /** Frames other than routing (spawn, steal, events…), handled by the executor or main side. */
  onControl: (from: number, frame: unknown[]) => void = () => {};
  /** Called after each inbound batch (executors publish their counters). */
  afterBatch: () => void = () => {};
  /** Transit ledger of user-message frames (recovery.ts accounts a lost node's with it). */
  watchdog: WatchdogBoard | null = null;

  /** Ref definitions per channel and the one ref object per remote id (ref-tables.ts). */
  protected readonly tables: RefTables;

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
  protected readonly sync: SenderSync;

  /** Routing steps 1–5 (link-routing.ts) for an item that has no cell here to go to. */
  abstract dispatch(item: Item, fwd: number, fromFrame: boolean): void;
  /** A frame other than a routing record (W_FRAME): settle, migration steps, sender sync, control. */
  protected abstract handle(from: number, f: unknown[]): void;
  protected abstract dead(item: Item, reason: DeadLetterReason, error?: unknown): void;
  /** The resolver the link registers with its host (kernel/transport.ts). */
  intern(id: number, name: string | undefined, def: string): ActorRef {
    return this.tables.intern(id, name, def);
  }

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
   * channel as (id, name, def) once, then as its id (wire.ts).
   */
  protected out(node: number, ref: ActorRef, sender: ActorRef | undefined): unknown[] {
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

  protected forgetLast(): void {
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
  protected pushTell(out: unknown[], ref: ActorRef, msg: unknown, sender: ActorRef | undefined): void {
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
  protected refOf(id: number, defs: Map<number, ActorRef>): ActorRef {
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

  /**
   * The item of the W_ROUTE record at t[i]: [W_ROUTE, id, fwd, kind, a, meta, env], where `meta`
   * is a WireMeta and `env` is null or [data] for a message an interceptor enveloped.
   */
  protected routed(t: unknown[], i: number, defs: Map<number, ActorRef>): Item {
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

  /** Sender refs must already be defined on the channel (see `out`). */
  protected encodeMeta(meta: ActorRef | AskHandle | undefined): WireMeta {
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

  protected decodeMeta(m: WireMeta, defs: Map<number, ActorRef>): ActorRef | AskHandle | undefined {
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

  close(): void {
    for (const ch of this.channels.values()) ch.close();
    this.channels.clear();
    this.pumpOrder = null;
  }
}
