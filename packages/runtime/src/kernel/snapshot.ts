/**
 * Dehydrate / rehydrate: an actor as bytes, so it can move to another
 * executor (or, later, another machine) and resume identically.
 *
 * What moves: definition name, props, state (as a value), pending user
 * messages with their senders and pending asks, watchers and watched refs,
 * mailbox bounds, restart count, shutdown budget, timers, the retry policy and a
 * retry in progress. Asks move as (node, askId): the asker's host
 * keeps the promise and the reply comes back by frame. Timers (timers.ts:
 * `ctx.schedule`, a machine's delayed events, a retried message's wait) move as
 * data with the time each has left and are re-armed on the new host's clock;
 * the leaving host cancels its own.
 */
import {
  type CheckOptions,
  decode,
  encode,
  findUnserializable,
  registerErrorClass,
  registerExtension,
} from '@troupe/scheduler';
import { type RetryOptions, resolveRetry } from '../features/retry/retry.ts';
import { ownShutdownMs, setShutdownMs } from '../features/shutdown/stop-node.ts';
import { AskHandle } from './ask.ts';
import { ActorCell, ALIVE, MIGRATED } from './cell.ts';
import * as errors from './errors.ts';
import { ConfigError, UnknownActorError, UnserializableError } from './errors.ts';
import type { Host } from './host.ts';
import { ActorRef } from './ref.ts';
import { RemoteAsk } from './remote-ask.ts';
import { Terminated } from './terminated.ts';
import { ActorTimers, type TimerData } from './timers.ts';

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
  /** [message, sender ref | ask descriptor | null], oldest first. */
  readonly mailbox: ReadonlyArray<readonly [unknown, ActorRef | AskDescriptor | null]>;
  readonly watchers: readonly ActorRef[];
  readonly watching: readonly ActorRef[];
  /** Links in remote form (executors/links.ts): `parent` is a ref, not a cell of the new host. */
  readonly linked?: boolean;
  /** The parent linked by ref supervises this actor (executors/links.ts). */
  readonly sup?: boolean;
  /** Children linked by ref (executors/links.ts), only on a detaching snapshot. */
  readonly kids?: readonly ActorRef[];
  /** Its own shutdown budget (spawn option or child spec), when it has one. */
  readonly shutdownMs?: number;
  /** Its timers (timers.ts): ms left, period, message, recipient (null: itself), key. */
  readonly timers?: readonly TimerData[];
  /** Its message retry policy: true for its definition's, else the spawn option's as data. */
  readonly retry?: true | RetryOptions;
  /** A retry in progress: the front message's attempt and the ms left of its wait (-1: none). */
  readonly retrying?: readonly [number, number];
}

// Refs cross threads as (id, name, def) and are re-bound to the decoding host.
let decodingHost: Host | null = null;
registerExtension<ActorRef>({
  Class: ActorRef,
  type: 0x41,
  write: (r) => [r.id, r.name ?? null, r.def],
  read: ([id, name, def]: [number, string | null, string]) => {
    if (decodingHost === null) throw new Error('ActorRef decoded outside a host (runtime bug)');
    return decodingHost.refFor(id, name ?? undefined, def);
  },
});

// A TroupeError crosses as an instance of its own class, with its code, context and cause.
for (const v of Object.values(errors))
  if (typeof v === 'function' && v.prototype instanceof errors.TroupeError)
    registerErrorClass(v as unknown as abstract new (...args: never[]) => Error);

/** Decodes bytes with refs bound to `host`. */
export function decodeFor<T>(host: Host, bytes: Uint8Array): T {
  const prev = decodingHost;
  decodingHost = host;
  try {
    return decode<T>(bytes);
  } finally {
    decodingHost = prev;
  }
}

const portable = (v: object): boolean => v instanceof ActorRef;

/**
 * Finds what in `value` cannot cross a thread; undefined when all of it can.
 * `options` (@troupe/scheduler CheckOptions): `anyError` lets errors of any
 * class cross (as their nearest registered class) — for what is reported, not
 * for messages or state; `depth` and `enclosing` place a part checked on its own.
 */
export function checkPortable(value: unknown, root: string, options?: CheckOptions) {
  return findUnserializable(value, root, portable, options);
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
  }
  const problem = checkPortable(state, 'state') ?? checkPortable(cell.props, 'props');
  if (problem) throw new UnserializableError('state', problem.path, problem.found, cell.desc, problem.limit);
  const timers = cell.timers?.toData() ?? [];
  for (let i = 0; i < timers.length; i++) {
    const p = checkPortable(timers[i]![2], `timers[${i}].message`);
    if (p) throw new UnserializableError('a scheduled message', p.path, p.found, cell.desc, p.limit);
  }
  const retry = retryOf(cell);
  const retrying = cell.retryState();
  const shutdownMs = ownShutdownMs(cell);
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
    parent: cell.parent?.ref ?? cell.remoteParent ?? null,
    mailbox: pairs.map(([msg, meta]) => [msg, describeMeta(host, meta, detach)] as const),
    watchers: cell.watchers ? [...cell.watchers.values()] : [],
    watching: cell.watching ? [...cell.watching.values()] : [],
    // Only the actor that leaves keeps its links: a copy must not stop another's children.
    ...(detach && cell.remoteParent !== null ? { linked: true } : {}),
    ...(detach && cell.remoteSupervised ? { sup: true } : {}),
    ...(detach && cell.remoteKids !== null && cell.remoteKids.size > 0
      ? { kids: [...cell.remoteKids.values()] }
      : {}),
    ...(shutdownMs !== undefined ? { shutdownMs } : {}),
    ...(timers.length > 0 ? { timers } : {}),
    ...(retry !== undefined ? { retry } : {}),
    ...(retrying !== null ? { retrying } : {}),
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

/** The retry policy a snapshot carries; throws when a function is part of it (the actor then stays). */
function retryOf(cell: ActorCell): true | RetryOptions | undefined {
  const r = cell.retry;
  if (r === null) return undefined;
  if (r === cell.def.retry) return true; // every thread loads the definition
  const data = r.toData();
  if (data === undefined)
    throw new UnserializableError(
      'retry options',
      'retry',
      'function (retryOn or backoff.random)',
      cell.desc,
    );
  return data;
}

function describeMeta(host: Host, meta: unknown, detach: boolean): ActorRef | AskDescriptor | null {
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
  const cell = new ActorCell(
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
  for (const [msg, meta] of snap.mailbox) {
    cell.mailbox.push(msg, senderOrAsk(host, meta));
  }
  host.stats.sent += snap.mailbox.length; // see the matching decrement in dehydrate
  host.stats.moved -= snap.mailbox.length;
  if (snap.watchers.length) cell.watchers = new Map(snap.watchers.map((r) => [r.id, r]));
  if (snap.watching.length) cell.watching = new Map(snap.watching.map((r) => [r.id, r]));
  if (snap.linked === true) cell.remoteParent = snap.parent;
  if (snap.sup === true) cell.remoteSupervised = true;
  if (snap.kids !== undefined && snap.kids.length > 0)
    cell.remoteKids = new Map(snap.kids.map((k) => [k.id, k]));
  if (snap.shutdownMs !== undefined) setShutdownMs(cell, snap.shutdownMs);
  if (!arriving) host.adopt(cell);
  // Even the actor's own ref routes until then: a reply to it must not overtake a message on the old route.
  else cell.ref.cell = null;
  // Last, once nothing can throw: a timer must not fire into a cell that was never adopted.
  if (snap.retry !== undefined)
    cell.retry = resolveRetry(snap.retry === true ? def.retry : snap.retry, `${def.name}.retry`) ?? null;
  if (snap.retrying !== undefined) cell.restoreRetry(snap.retrying[0], snap.retrying[1]);
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
  for (const [msg, meta] of snap.mailbox) {
    host.stats.sent++; // dehydrate took them off the holder's count
    host.stats.moved--;
    host.deadLetter(msg, senderOrAsk(host, meta), reason, ref);
  }
  const t = new Terminated(ref, reason);
  for (const w of snap.watchers) host.deliverTerminated(w, t);
  if (snap.linked === true && snap.parent !== null) host.remote?.childGone?.(snap.parent, ref, reason);
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
