/**
 * The remote seam, in the spirit of Proto.Actor's `Process`: how a host
 * reaches actors and askers that live elsewhere (other threads today, other
 * machines later). A host without one (one thread) dead-letters what it cannot
 * deliver itself.
 *
 * Exactly three operations. Anything else that crosses a thread is a system
 * message (sysmsg.ts) with its codec in the transport, never a new method
 * here. How ids seen in frames become refs is a separate `Resolver` the
 * transport registers with it (`host.connect`), as Proto.Actor's
 * `RegisterAddressResolver`.
 */
import type { ActorRef } from './ref.ts';
import type { Ack, SysMsg } from './sysmsg.ts';

export interface Transport {
  /**
   * A user message (meta: sender ref, ask handle, or an interceptor envelope) for an actor with no
   * cell on this host. False when no host knows the id: the caller dead-letters it `no-such-actor`.
   */
  sendUser(ref: ActorRef, msg: unknown, meta: unknown): boolean;
  /** A system message for an actor with no cell on this host, wherever it lives (`ack`: sysmsg.ts). */
  sendSystem(ref: ActorRef, m: SysMsg, ack?: Ack): void;
  /** Settles the ask `askId` whose asker lives on `node`. */
  settle(node: number, askId: number, ok: boolean, value: unknown): void;
}

/** The one ref object a host uses for a remote id (watch sets and ref tables compare refs by identity). */
export type Resolver = (id: number, name: string | undefined, def: string) => ActorRef;
