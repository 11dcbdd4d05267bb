/**
 * A ThreadLink's ref tables (wire format in wire.ts). A ref crosses a
 * channel as (id, name, definition) once, then as its id:
 * 1. Sending: per channel, the refs defined on it since it last started
 *    over. Past CHANNEL_REFS_CAP the sender clears them and sends W_RESET
 *    before the frame's own definitions, so every ref is defined again
 *    before its next use.
 * 2. Receiving: per sending node, the refs it defined on its channel;
 *    W_RESET drops them.
 * 3. One ref object per remote id (`intern`): watch sets and WeakMaps
 *    compare refs. Held weakly, so the ids of actors nobody references any
 *    more go; the tables of steps 1-2 hold theirs while they are defined.
 */
import { W_DEF, W_RESET } from '@troupe/scheduler';
import type { Host } from '../kernel/host.ts';
import { ActorRef } from '../kernel/ref.ts';
import { CHANNEL_REFS_CAP } from './wire.ts';

export class RefTables {
  private readonly known = new Map<number, Map<number, ActorRef>>();
  private readonly defined = new Map<number, Map<number, ActorRef>>();
  private readonly refs = new Map<number, WeakRef<ActorRef>>();
  private readonly collected = new FinalizationRegistry<number>((id) => {
    if (this.refs.get(id)?.deref() === undefined) this.refs.delete(id);
  });

  constructor(private readonly host: Host) {}

  connect(node: number): void {
    this.known.set(node, new Map());
    this.defined.set(node, new Map());
  }

  disconnect(node: number): void {
    this.known.delete(node);
    this.defined.delete(node);
  }

  /** Step 1: the refs defined on the channel to `node` (empty when it is not connected). */
  sentTo(node: number): Map<number, ActorRef> {
    return this.known.get(node) ?? new Map();
  }

  /**
   * Step 1: pushes onto `out` (the batch for `node`) the definitions `ref`
   * and `sender` still need there, after a W_RESET when the table is full.
   * True when it started over.
   */
  define(node: number, out: unknown[], ref: ActorRef, sender: ActorRef | undefined): boolean {
    const known = this.known.get(node)!;
    if (known.has(ref.id) && (sender === undefined || known.has(sender.id))) return false;
    // Before the frame's own definitions: a reset after them would drop them.
    const reset = known.size + 2 > CHANNEL_REFS_CAP;
    if (reset) {
      known.clear();
      out.push(W_RESET);
    }
    if (!known.has(ref.id)) {
      known.set(ref.id, ref);
      out.push(W_DEF, ref.id, ref.name ?? null, ref.def);
    }
    if (sender !== undefined && !known.has(sender.id)) {
      known.set(sender.id, sender);
      out.push(W_DEF, sender.id, sender.name ?? null, sender.def);
    }
    return reset;
  }

  /** Step 2: the definitions `node` made on its channel to this host. */
  from(node: number): Map<number, ActorRef> {
    let defs = this.defined.get(node);
    if (defs === undefined) this.defined.set(node, (defs = new Map()));
    return defs;
  }

  /** Step 3. */
  intern(id: number, name: string | undefined, def: string): ActorRef {
    let r = this.cached(id);
    if (r === undefined) {
      r = new ActorRef(id, name, def, this.host, null);
      this.keep(r);
    }
    return r;
  }

  cached(id: number): ActorRef | undefined {
    return this.refs.get(id)?.deref();
  }

  keep(r: ActorRef): void {
    this.refs.set(r.id, new WeakRef(r));
    this.collected.register(r, r.id);
  }

  forget(id: number): void {
    this.refs.delete(id);
  }
}
