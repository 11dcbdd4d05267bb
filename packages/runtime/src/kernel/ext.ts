/**
 * Per-actor extension slots (Proto.Actor's `actorContextExtras`): where a
 * feature keeps what it knows about one actor — a retry policy, a supervision
 * link, a wait-for node — without a field on the cell.
 *
 * 1. A slot is defined once per process, when its feature's module loads
 *    (`defineSlot(name, codec)`); it gets a fixed index, so reading it is an
 *    array load.
 * 2. A cell keeps its slots in one array, null until the first is set: an
 *    actor no feature touched stays as small as one with no features at all.
 * 3. A slot with a codec moves with its actor: a snapshot carries the
 *    encoded value under the slot's name, and rehydrate decodes it on the new
 *    host (snapshot.ts). A slot without one stays behind (its value is about
 *    this thread only).
 */
import type { ActorDefinition } from './definition.ts';
import { type ActorDescription, ConfigError } from './errors.ts';

/** What a slot needs of the actor that holds it. */
export interface SlotOwner {
  ext: unknown[] | null;
  readonly def: ActorDefinition;
  readonly desc: ActorDescription;
}

export interface SlotCodec<T> {
  /**
   * The value as data a snapshot can carry; undefined leaves nothing. May throw (an
   * UnserializableError) when the value cannot move: the actor then stays where it is.
   */
  encode(value: T, owner: SlotOwner): unknown;
  /** Back from a snapshot's data, on the host the actor arrives at; undefined leaves the slot empty. */
  decode(data: unknown, owner: SlotOwner): T | undefined;
}

export class Slot<T> {
  /** @internal */
  constructor(
    readonly name: string,
    readonly index: number,
    readonly codec: SlotCodec<T> | null,
  ) {}

  get(owner: SlotOwner): T | undefined {
    const x = owner.ext;
    return x === null ? undefined : (x[this.index] as T | undefined);
  }

  set(owner: SlotOwner, value: T | undefined): void {
    const x = owner.ext;
    if (x !== null) x[this.index] = value;
    else if (value !== undefined) (owner.ext = new Array(slots.length))[this.index] = value;
  }
}

const slots: Slot<unknown>[] = [];
const byName = new Map<string, Slot<unknown>>();

/** Defines the slot `name` (a feature's own prefix: `supervision.link`); the same name twice is a ConfigError. */
export function defineSlot<T>(name: string, codec?: SlotCodec<T>): Slot<T> {
  if (byName.has(name)) throw new ConfigError('defineSlot(name)', 'a slot name not defined yet', name);
  const s = new Slot<T>(name, slots.length, codec ?? null);
  slots.push(s as Slot<unknown>);
  byName.set(name, s as Slot<unknown>);
  return s;
}

/** Snapshot side: every slot of `owner` that moves, encoded by name; undefined when none has a value. */
export function encodeSlots(owner: SlotOwner): Record<string, unknown> | undefined {
  const x = owner.ext;
  if (x === null) return undefined;
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const s = slots[i]!;
    if (v === undefined || s.codec === null) continue;
    const data = s.codec.encode(v, owner);
    if (data !== undefined) (out ??= {})[s.name] = data;
  }
  return out;
}

/** Rehydrate side: the slots a snapshot carried, decoded onto `owner`; names no feature here defines are dropped. */
export function decodeSlots(owner: SlotOwner, data: Record<string, unknown>): void {
  for (const name of Object.keys(data)) {
    const s = byName.get(name);
    if (s === undefined || s.codec === null) continue;
    s.set(owner, s.codec.decode(data[name], owner));
  }
}
