/**
 * A message's envelope is the (msg, meta) pair the mailbox stores — meta being
 * the sender's ref, an ask handle, or nothing. While a send interceptor is
 * installed (hooks.ts) and attaches data to a message, its meta is wrapped in
 * an `Envelope` carrying that data along: through the mailbox, a retry's
 * requeue, a restart, a snapshot and a frame to another executor, to the
 * process interceptor where the message is handled.
 *
 * Without an interceptor nothing is ever wrapped: a send pays one null check
 * and allocates nothing. Code that reads a meta for its sender or ask goes
 * through `unwrap` wherever an envelope may reach it (cold paths: dead
 * letters, events, snapshots, frames); the run loop unwraps only when a
 * process interceptor is installed.
 */
import type { SendInterceptor } from './hooks.ts';
import type { ActorRef } from './ref.ts';

export class Envelope {
  constructor(
    /** The sender ref, ask handle or undefined the message would carry without interception. */
    readonly meta: unknown,
    /** What the send interceptor attached (hooks.ts: one interceptor's value, or an array of them). */
    readonly data: unknown,
  ) {}
}

/** The meta inside `meta` when it is an envelope, else `meta` itself. */
export function unwrap(meta: unknown): unknown {
  return meta instanceof Envelope ? meta.meta : meta;
}

/** Asks the send interceptor for data and wraps `meta` with it; a meta already wrapped is kept (a re-route). */
export function envelop(send: SendInterceptor, to: ActorRef, msg: unknown, meta: unknown): unknown {
  if (meta instanceof Envelope) return meta;
  const data = send(to, msg, meta);
  return data === undefined ? meta : new Envelope(meta, data);
}
