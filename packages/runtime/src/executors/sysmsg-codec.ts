/**
 * The one codec of system messages across threads (kernel/sysmsg.ts): each
 * message is a routed item of its own kind (a K_* code of the scheduler's
 * code space) with its fields in the item's `a` token. A feature's message
 * (`ext`) crosses as [kind, payload]: its payload must be portable. A
 * `failed` report's error is made portable before it is routed (link.ts).
 */
import {
  K_CHILD_FAILED,
  K_CHILD_GONE,
  K_DIRECTIVE,
  K_EXT,
  K_KILL,
  K_STOP,
  K_TERM,
  K_UNWATCH,
  K_WATCH,
} from '@troupe/scheduler';
import type { ActorRef } from '../kernel/ref.ts';
import type { Directed, FailurePhase, SysMsg } from '../kernel/sysmsg.ts';
import {
  childGoneMsg,
  directiveMsg,
  extMsg,
  failedMsg,
  killMsg,
  stopMsg,
  terminatedMsg,
  unwatchMsg,
  watchMsg,
} from '../kernel/sysmsg.ts';

/** The item kind of `m`. */
export function kindOf(m: SysMsg): number {
  switch (m.tag) {
    case 'stop':
      return K_STOP;
    case 'kill':
      return K_KILL;
    case 'watch':
      return K_WATCH;
    case 'unwatch':
      return K_UNWATCH;
    case 'terminated':
      return K_TERM;
    case 'failed':
      return K_CHILD_FAILED;
    case 'directive':
      return K_DIRECTIVE;
    case 'child-gone':
      return K_CHILD_GONE;
    case 'ext':
      return K_EXT;
  }
}

/** `m`'s fields, as they travel. */
export function encodeSys(m: SysMsg): unknown {
  switch (m.tag) {
    case 'stop':
    case 'kill':
      return m.reason;
    case 'watch':
    case 'unwatch':
      return m.watcher;
    case 'terminated':
      return [m.ref, m.reason];
    case 'failed':
      return [m.child, m.error, m.phase];
    case 'directive':
      return m.d;
    case 'child-gone':
      return [m.child, m.reason];
    case 'ext':
      return [m.kind, m.payload];
  }
}

/** The message of kind `k` from its fields; undefined for a kind that is not a system message. */
export function decodeSys(k: number, a: unknown): SysMsg | undefined {
  switch (k) {
    case K_STOP:
      return stopMsg(a as string);
    case K_KILL:
      return killMsg(a as string);
    case K_WATCH:
      return watchMsg(a as ActorRef);
    case K_UNWATCH:
      return unwatchMsg(a as ActorRef);
    case K_TERM: {
      const [ref, reason] = a as [ActorRef, string];
      return terminatedMsg(ref, reason);
    }
    case K_CHILD_FAILED: {
      const [child, error, phase] = a as [ActorRef, unknown, FailurePhase];
      return failedMsg(child, error, phase);
    }
    case K_DIRECTIVE:
      return directiveMsg(a as Directed);
    case K_CHILD_GONE: {
      const [child, reason] = a as [ActorRef, string];
      return childGoneMsg(child, reason);
    }
    case K_EXT: {
      const [kind, payload] = a as [string, unknown];
      return extMsg(kind, payload);
    }
    default:
      return undefined;
  }
}
