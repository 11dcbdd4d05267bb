/**
 * System messages: the closed set of things one actor's lifecycle tells
 * another's, as data (Pekko's sealed `SystemMessage`). They are matched in one
 * place, `ActorCell.system`, which also decides when each applies:
 *
 * | message    | from → to                      | applied                     |
 * |------------|--------------------------------|-----------------------------|
 * | stop       | anyone → actor                 | in the actor's turn         |
 * | kill       | shutdown, supervisor → actor   | on arrival                  |
 * | watch      | watcher's side → watched actor | on arrival                  |
 * | unwatch    | watcher's side → watched actor | on arrival                  |
 * | terminated | watched actor → watcher        | in the watcher's turn       |
 * | failed     | child → supervising parent     | in the parent's turn        |
 * | directive  | supervising parent → child     | in the child's turn         |
 * | child-gone | child linked by ref → parent   | on arrival                  |
 * | ext        | a feature → an actor           | as its handler says (hooks) |
 *
 * Sending: `host.sendSystem(ref, m)` — the actor's cell here, or the
 * transport (transport.ts) to wherever it lives. A message for an actor that
 * is gone is dropped, except those that owe an answer (`deadSystem`).
 *
 * A message that crosses a thread is encoded as it is (refs cross as refs);
 * `failed` carries its error in a portable form, made by the transport.
 */
import type { AskHandle } from './ask.ts';
import type { ActorRef } from './ref.ts';

/** Where an actor failed: building its state, in onStart, or handling a message. */
export type FailurePhase = 'init' | 'start' | 'receive';

/** What a supervising parent asks of a child after its failure. */
export type Directed = 'resume' | 'restart' | 'suspend';

export interface Stop {
  readonly tag: 'stop';
  readonly reason: string;
}
export interface Kill {
  readonly tag: 'kill';
  readonly reason: string;
}
export interface Watch {
  readonly tag: 'watch';
  readonly watcher: ActorRef;
}
export interface Unwatch {
  readonly tag: 'unwatch';
  readonly watcher: ActorRef;
}
export interface TerminatedMsg {
  readonly tag: 'terminated';
  readonly ref: ActorRef;
  readonly reason: string;
}
export interface Failed {
  readonly tag: 'failed';
  readonly child: ActorRef;
  readonly error: unknown;
  readonly phase: FailurePhase;
}
export interface Directive {
  readonly tag: 'directive';
  readonly d: Directed;
}
export interface ChildGone {
  readonly tag: 'child-gone';
  readonly child: ActorRef;
  readonly reason: string;
}
/** A feature's own system message (hooks.ts `onExt`); `payload` must cross a thread when sent to one. */
export interface Ext {
  readonly tag: 'ext';
  readonly kind: string;
  readonly payload: unknown;
}

export type SysMsg = Stop | Kill | Watch | Unwatch | TerminatedMsg | Failed | Directive | ChildGone | Ext;

export const stopMsg = (reason: string): Stop => ({ tag: 'stop', reason });
export const killMsg = (reason: string): Kill => ({ tag: 'kill', reason });
export const watchMsg = (watcher: ActorRef): Watch => ({ tag: 'watch', watcher });
export const unwatchMsg = (watcher: ActorRef): Unwatch => ({ tag: 'unwatch', watcher });
export const terminatedMsg = (ref: ActorRef, reason: string): TerminatedMsg => ({
  tag: 'terminated',
  ref,
  reason,
});
export const failedMsg = (child: ActorRef, error: unknown, phase: FailurePhase): Failed => ({
  tag: 'failed',
  child,
  error,
  phase,
});
export const directiveMsg = (d: Directed): Directive => ({ tag: 'directive', d });
export const childGoneMsg = (child: ActorRef, reason: string): ChildGone => ({
  tag: 'child-gone',
  child,
  reason,
});
export const extMsg = (kind: string, payload: unknown): Ext => ({ tag: 'ext', kind, payload });

/**
 * An acknowledgement a system message may carry (`host.sendSystem(ref, m, ack)`):
 * resolved once the message took effect (a stop: once the actor terminated), or
 * settled by `deadSystem` when it cannot reach its actor.
 */
export type Ack = AskHandle;
