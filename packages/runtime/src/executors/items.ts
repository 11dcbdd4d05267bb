/**
 * Routed items: what travels to an actor wherever it lives (link.ts routes
 * them, through migrations), then is applied to its cell there, or
 * dead-lettered where it cannot be.
 */

import { withdrawQueued } from '../features/deadlock/forwarder.ts';
import type { AskHandle } from '../kernel/ask.ts';
import type { ActorCell } from '../kernel/cell.ts';
import { ActorStoppedError } from '../kernel/errors.ts';
import type { DeadLetterReason } from '../kernel/events.ts';
import type { Directed, Host } from '../kernel/host.ts';
import type { ActorRef } from '../kernel/ref.ts';
import { RemoteAsk } from '../kernel/remote-ask.ts';
import { Terminated } from '../kernel/terminated.ts';
import { applyChildFailed, applyChildRestarted, applyDirective } from './links.ts';

/** Item kinds (`k`): a user message (an ask when meta is an AskHandle), and the system operations that follow an actor. */
export const K_TELL = 0;
export const K_WATCH = 1;
export const K_STOP = 2;
export const K_TERM = 3;
export const K_MIGRATE = 4;
export const K_STOPASK = 5;
/** Withdraw a queued ask deadlock resolution fails (a: asker's node, b: its exported ask id, meta: the acknowledgement). */
export const K_DL_WITHDRAW = 6;
/** A child linked by ref terminated (a: its id); the item goes to its parent (links.ts step 4). */
export const K_CHILD_GONE = 7;
/** A child supervised from afar failed (a: error, meta: the child, b: phase); goes to its parent (links.ts step 5). */
export const K_CHILD_FAILED = 8;
/** A supervision directive (a: 'resume' | 'restart') for a child (links.ts step 6). */
export const K_DIRECTIVE = 9;
/** Terminate now (a: reason): a supervisor's shutdownMs for a child on another executor ran out. */
export const K_KILL = 10;
/** A child re-initialised in place by its supervisor's restart directive (meta: the child); goes to its parent (links.ts step 6). */
export const K_CHILD_RESTARTED = 11;

export interface Item {
  readonly k: number;
  readonly ref: ActorRef;
  readonly a: unknown;
  readonly meta: ActorRef | AskHandle | undefined;
  readonly b: unknown;
}

export function applyItem(
  host: Host,
  cell: ActorCell,
  item: Item,
  migrateOut: (cell: ActorCell, to: number) => void,
): void {
  switch (item.k) {
    case K_TELL:
      // From a frame, or routed here after `route` checked it (link.ts): portable either way.
      cell.accept(item.a, item.meta);
      // Reentrancy step 2 for an ask from another thread: the target is blocked but serves its chain.
      if (item.meta instanceof RemoteAsk && item.meta.chain !== 0 && cell.busy)
        host.deadlock?.reenterRemote(cell, item.meta);
      return;
    case K_WATCH: {
      const watcher = item.a as ActorRef;
      if (!cell.addWatcher(watcher))
        host.deliverTerminated(watcher, new Terminated(cell.ref, cell.stopReason || 'stopped'));
      return;
    }
    case K_STOP:
      cell.requestStop(item.a as string);
      return;
    case K_TERM: {
      cell.sysPush('terminated', new Terminated(item.a as ActorRef, item.b as string));
      return;
    }
    case K_MIGRATE: {
      const h = item.meta as AskHandle | undefined;
      try {
        migrateOut(cell, item.a as number);
        h?.resolve(undefined);
      } catch (e) {
        h?.reject(e);
      }
      return;
    }
    case K_DL_WITHDRAW:
      withdrawQueued(host, cell, item.a as number, item.b as number);
      (item.meta as AskHandle | undefined)?.resolve(undefined);
      return;
    case K_CHILD_GONE:
      cell.remoteChildStopped(item.a as number, item.b as string);
      return;
    case K_CHILD_FAILED:
      applyChildFailed(cell, item.meta as ActorRef, item.a, item.b);
      return;
    case K_DIRECTIVE:
      applyDirective(cell, item.a as Directed);
      return;
    case K_KILL:
      cell.kill(item.a as string);
      return;
    case K_CHILD_RESTARTED:
      applyChildRestarted(cell, item.meta as ActorRef);
      return;
    case K_STOPASK: {
      const h = item.meta as AskHandle | undefined;
      cell.requestStop('stopped');
      void cell.whenStopped().then(() => h?.resolve(undefined));
      return;
    }
  }
}

/** `error`: what an ask rejects with (default: the reason's, host.ts `errorFor`). */
export function deadItem(host: Host, item: Item, reason: DeadLetterReason, error?: unknown): void {
  switch (item.k) {
    case K_TELL:
      host.stats.sent++;
      host.deadLetter(item.a, item.meta, reason, item.ref, error);
      return;
    case K_WATCH:
      host.deliverTerminated(item.a as ActorRef, new Terminated(item.ref, reason));
      return;
    case K_MIGRATE:
      (item.meta as AskHandle | undefined)?.reject(error ?? new ActorStoppedError(item.ref.toJSON(), reason));
      return;
    case K_STOPASK:
    case K_DL_WITHDRAW:
      (item.meta as AskHandle | undefined)?.resolve(undefined);
      return;
  }
}
