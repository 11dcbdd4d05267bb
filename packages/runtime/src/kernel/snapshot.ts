/**
 * Dehydrate / rehydrate: an actor as bytes, so it can move to another
 * executor (or, later, another machine) and resume identically.
 *
 * What moves: definition name, props, state (as a value), pending user
 * messages with their senders, pending asks and interceptors' data, watchers
 * and watched refs, mailbox bounds, restart count, timers, a message put back
 * at the front (`requeueHead`), and every extension slot with a codec (ext.ts:
 * the shutdown budget, a retry policy, …). Asks move as (node, askId): the asker's host
 * keeps the promise and the reply comes back by frame. Timers (timers.ts:
 * `ctx.schedule`, a machine's delayed events, a retried message's wait) move as
 * data with the time each has left and are re-armed on the new host's clock;
 * the leaving host cancels its own.
 */
import { encode } from '@troupe/scheduler';
import { AskHandle } from './ask.ts';
import { type ActorCell, ALIVE, HOLD_REDELIVER, HOLD_WAIT, MIGRATED } from './cell.ts';
import type { CellHost } from './cell-host.ts';
import { checkPortable, decodeFor } from './codec.ts';
import { Cell } from './death-watch.ts';
import { Envelope } from './envelope.ts';
import * as errors from './errors.ts';
import { ConfigError, UnknownActorError, UnserializableError } from './errors.ts';
import { decodeSlots, encodeSlots } from './ext.ts';
import { farKids, farKidsOf, farParent, setFarParent } from './far-links.ts';
import type { Host } from './host.ts';
import { ActorRef } from './ref.ts';
import { RemoteAsk } from './remote-ask.ts';
import { childGoneMsg, terminatedMsg } from './sysmsg.ts';
import { ActorTimers, type TimerData } from './timers.ts';

export { checkPortable, decodeFor };

export interface AskDescriptor {
  readonly node: number;
  readonly askId: number;
  readonly sender: ActorRef | null;
}

export interface ActorSnapshot {
  readonly v: 1;
  readonly id: number;
  readonly name: string | null;
  readonly def: string;
  readonly props: unknown;
  readonly state: unknown;
  readonly started: boolean;
  readonly restarts: number;
  readonly capacity: number;
  readonly overflow: string;
  readonly parent: ActorRef | null;
  /**
   * [message, sender ref | ask descriptor | null], oldest first; a third element is the data an
   * interceptor attached (envelope.ts), when it attached some.
   */
  readonly mailbox: ReadonlyArray<
    | readonly [unknown, ActorRef | AskDescriptor | null]
    | readonly [unknown, ActorRef | AskDescriptor | null, unknown]
  >;
  readonly watchers: readonly ActorRef[];
  readonly watching: readonly ActorRef[];
  /** Links in remote form (executors/links.ts): `parent` is a ref, not a cell of the new host. */
  readonly linked?: boolean;
  /** The parent linked by ref supervises this actor (executors/links.ts). */
  readonly sup?: boolean;
  /** Children linked by ref (executors/links.ts), only on a detaching snapshot. */
  readonly kids?: readonly ActorRef[];
  /** Its timers (timers.ts): ms left, period, message, recipient (null: itself), key. */
  readonly timers?: readonly TimerData[];
  /** The front message was put back (`requeueHead`): the ms left of its wait (-1: none). */
  readonly held?: number;
  /** Extension slots (ext.ts) by name, encoded by their codecs. */
  readonly ext?: Readonly<Record<string, unknown>>;
}

/**
 * Encodes an actor. With `detach`, the actor leaves this host: its cell
 * becomes a forwarder (status MIGRATED) and its pending asks are exported so
 * replies find their way back.
 */
export function dehydrate(cell: ActorCell, detach: boolean): Uint8Array {
  const host = cell.host;
  if (cell.def.pinned)
    throw new ConfigError(`migrate(${cell.ref})`, 'an actor whose definition is not pinned', 'pinned: true');
  if (cell.status !== ALIVE || cell.busy || host.current === cell)
    throw new ConfigError(
      `migrate(${cell.ref})`,
      'an idle, running actor (not busy, stopping or stopped)',
      cell.busy ? 'busy' : 'not alive',
    );
  const toValue = cell.behavior.toValue;
  const state = toValue ? toValue(cell.state) : cell.state;
  const pairs = cell.mailbox.toArray();
  for (let i = 0; i < pairs.length; i++) {
    const p = checkPortable(pairs[i]![0], `mailbox[${i}]`);
    if (p) throw new UnserializableError('a pending message', p.path, p.found, cell.desc, p.limit);
    const meta = pairs[i]![1];
    const q = meta instanceof Envelope ? checkPortable(meta.data, `mailbox[${i}].data`) : undefined;
    if (q) throw new UnserializableError("an interceptor's data", q.path, q.found, cell.desc, q.limit);
  }
  const problem = checkPortable(state, 'state') ?? checkPortable(cell.props, 'props');
  if (problem) throw new UnserializableError('state', problem.path, problem.found, cell.desc, problem.limit);
  const timers = cell.timers?.toData() ?? [];
  for (let i = 0; i < timers.length; i++) {
    const p = checkPortable(timers[i]![2], `timers[${i}].message`);
    if (p) throw new UnserializableError('a scheduled message', p.path, p.found, cell.desc, p.limit);
  }
  const ext = encodeSlots(cell); // may throw (a retry policy with a function): the actor stays
  const held = heldFront(cell);
  const fp = farParent(cell);
  const kids = farKids(cell);
  const snap: ActorSnapshot = {
    v: 1,
    id: cell.id,
    name: cell.ref.name ?? null,
    def: cell.def.name,
    props: cell.props,
    state,
    started: cell.started,
    restarts: cell.restarts,
    capacity: cell.capacity,
    overflow: cell.overflow,
    parent: cell.parent?.ref ?? fp ?? null,
    mailbox: pairs.map(([msg, meta]) =>
      meta instanceof Envelope
        ? ([msg, describeMeta(host, meta.meta, detach), meta.data] as const)
        : ([msg, describeMeta(host, meta, detach)] as const),
    ),
    watchers: cell.watchers ? [...cell.watchers.values()] : [],
    watching: cell.watching ? [...cell.watching.values()] : [],
    // Only the actor that leaves keeps its links: a copy must not stop another's children.
    ...(detach && fp !== null ? { linked: true } : {}),
    ...(detach && kids !== null && kids.size > 0 ? { kids: [...kids.values()] } : {}),
    ...(timers.length > 0 ? { timers } : {}),
    ...(held !== null ? { held } : {}),
    ...(ext !== undefined ? { ext } : {}),
  };
  let bytes: Uint8Array;
  try {
    bytes = encode(snap);
  } catch (e) {
    // Checked above: only a value that changed since (a getter, a proxy) gets here. The actor stays.
    throw new UnserializableError(
      'state',
      'state',
      `value msgpackr could not encode (${errors.formatValue(e)})`,
      cell.desc,
    );
  }
  if (detach) {
    // The pending messages move with the actor: they leave this host's count
    // of sent messages and join the rehydrating host's, so each host's
    // `sent = processed + deadLettered` holds on its own; `moved` keeps
    // `sent + moved` still, so a sum over hosts read at different instants
    // counts them once (executors/row-stats.ts).
    host.stats.sent -= pairs.length;
    host.stats.moved += pairs.length;
    cell.mailbox.clear();
    cell.status = MIGRATED;
    cell.ref.cell = null;
    host.dispatcher.unqueue(cell);
    host.unregister(cell);
    cell.parent?.children?.delete(cell);
    cell.cancelTimers(); // they run on where it lands
  }
  return bytes;
}

function describeMeta(
  host: CellHost<ActorCell>,
  meta: unknown,
  detach: boolean,
): ActorRef | AskDescriptor | null {
  if (meta instanceof ActorRef) return meta;
  if (meta instanceof RemoteAsk) return { node: meta.node, askId: meta.askId, sender: meta.sender ?? null };
  if (meta instanceof AskHandle) {
    // Only a detaching snapshot may take over the ask; a copy must not answer it.
    const askId = detach ? host.exportAsk(meta) : -1;
    return { node: host.node, askId, sender: meta.sender ?? null };
  }
  return null;
}

/** Recreates an actor from a snapshot on `host`; it keeps its id, name and pending messages. */
export function rehydrate(host: Host, bytes: Uint8Array): ActorRef {
  return rehydrateCell(host, bytes, false).ref;
}

/**
 * `rehydrate`, returning the cell. With `arriving`, the actor runs its
 * pending messages but is not yet registered (no name, no lookup by id, even
 * its own ref unbound): everything else sent to it goes through the host's
 * remote link until `adoptArrived` (a migration's fence, executors/link.ts).
 */
export function rehydrateCell(host: Host, bytes: Uint8Array, arriving: boolean): ActorCell {
  const snap = decodeFor<ActorSnapshot>(host, bytes);
  const def = host.definitions.get(snap.def);
  if (def === undefined) throw new UnknownActorError(snap.def, [...host.definitions.keys()]);
  // A copy (`dehydrate`) rehydrated where the original still lives would alias its id and name.
  const same = host.cells.get(snap.id);
  if (same !== undefined)
    throw new ConfigError(
      'rehydrate(bytes)',
      'an actor whose id is not live on this host',
      same.ref.toString(),
    );
  const parent = snap.parent && snap.linked !== true ? (host.cells.get(snap.parent.id) ?? null) : null;
  const cell = new Cell(
    host,
    def,
    snap.props,
    snap.id,
    snap.name ?? undefined,
    parent,
    { capacity: snap.capacity, overflow: snap.overflow as ActorCell['overflow'] },
    def.throughput ?? host.options.throughput,
  );
  const fromValue = def.behavior.fromValue;
  cell.state = fromValue ? fromValue(snap.state, snap.props) : snap.state;
  cell.started = snap.started;
  cell.restarts = snap.restarts;
  // Before any side effect. A migrating actor finds its own id holding the name (never released at detach).
  if (snap.name !== null && !arriving) host.claimName(cell);
  for (const e of snap.mailbox) {
    const meta = senderOrAsk(host, e[1]);
    cell.mailbox.push(e[0], e.length === 3 ? new Envelope(meta, e[2]) : meta);
  }
  host.stats.sent += snap.mailbox.length; // see the matching decrement in dehydrate
  host.stats.moved -= snap.mailbox.length;
  if (snap.watchers.length) cell.watchers = new Map(snap.watchers.map((r) => [r.id, r]));
  if (snap.watching.length) cell.watching = new Map(snap.watching.map((r) => [r.id, r]));
  if (snap.linked === true) setFarParent(cell, snap.parent);
  if (snap.kids !== undefined && snap.kids.length > 0) {
    const far = farKidsOf(cell);
    for (const k of snap.kids) far.set(k.id, k);
  }
  if (snap.ext !== undefined) decodeSlots(cell, snap.ext);
  if (!arriving) host.adopt(cell);
  // Even the actor's own ref routes until then: a reply to it must not overtake a message on the old route.
  else cell.ref.cell = null;
  // Last, once nothing can throw: a timer must not fire into a cell that was never adopted.
  if (snap.held !== undefined) restoreHeldFront(cell, snap.held);
  if (snap.timers !== undefined) (cell.timers ??= new ActorTimers(cell)).restore(snap.timers);
  cell.reschedule();
  return cell;
}

/** Registers an actor rehydrated as `arriving` once nothing can reach it by the old route (no spawn event: it is not new). */
export function adoptArrived(host: Host, cell: ActorCell): void {
  if (cell.ref.name !== undefined) host.claimName(cell);
  cell.ref.cell = cell;
  host.adopt(cell, false);
}

/**
 * A detached actor that cannot be rehydrated here (its `fromValue` threw)
 * is gone: what it took along is dead-lettered with `reason` (asks reject),
 * its name is released, its watchers get Terminated and a parent linked by
 * ref hears it is gone, as if it had stopped. Undecodable bytes leave nothing to account for.
 */
export function abandonSnapshot(host: Host, bytes: Uint8Array, reason: 'failed'): void {
  let snap: ActorSnapshot;
  try {
    snap = decodeFor<ActorSnapshot>(host, bytes);
  } catch {
    return;
  }
  const ref = host.refFor(snap.id, snap.name ?? undefined, snap.def);
  // It kept its name while it moved (same id): nobody holds it now.
  if (snap.name !== null) host.nameTable?.release(snap.name, snap.id);
  for (const e of snap.mailbox) {
    host.stats.sent++; // dehydrate took them off the holder's count
    host.stats.moved--;
    host.deadLetter(e[0], senderOrAsk(host, e[1]), reason, ref);
  }
  const t = terminatedMsg(ref, reason);
  for (const w of snap.watchers) host.sendSystem(w, t);
  if (snap.linked === true && snap.parent !== null) host.sendSystem(snap.parent, childGoneMsg(ref, reason));
  // Its spawn was counted where it was born: its end is counted here (spawned − stopped = live actors).
  if (host.events.hasListeners)
    host.emit({ type: 'actor.stopped', at: host.clock.now(), actor: ref.toJSON(), reason });
}

/** A snapshot's message meta back on a host: the sender's ref, or the ask to answer by frame. */
function senderOrAsk(host: Host, meta: ActorRef | AskDescriptor | null): ActorRef | AskHandle | undefined {
  return meta === null || meta instanceof ActorRef ? (meta ?? undefined) : toHandle(host, meta);
}

function toHandle(host: Host, d: AskDescriptor): AskHandle | undefined {
  if (d.askId < 0) return undefined; // a copy's ask: the original answers it
  return new RemoteAsk(d.node, d.askId, d.sender ?? undefined, host);
}

/**
 * A requeued message in progress (cell.ts `requeueHead`), for a snapshot: the ms left of its wait
 * (-1: none), or null when the front is not one.
 */
function heldFront(cell: ActorCell): number | null {
  if ((cell.hold & HOLD_REDELIVER) === 0) return null;
  return (cell.hold & HOLD_WAIT) === 0 ? -1 : (cell.timers?.waitLeft() ?? 0);
}

/** Resumes a requeued front taken along in a snapshot (`heldFront`). */
function restoreHeldFront(cell: ActorCell, waitMs: number): void {
  cell.hold |= HOLD_REDELIVER;
  if (waitMs < 0) return;
  cell.hold |= HOLD_WAIT;
  (cell.timers ??= new ActorTimers(cell)).holdWait(waitMs);
}
