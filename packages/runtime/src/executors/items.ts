/**
 * Routed items: what travels to an actor wherever it lives (link.ts routes
 * them, through migrations), then is applied to its cell there, or
 * dead-lettered where it cannot be.
 */

import {
  K_CHILD_FAILED,
  K_CHILD_GONE,
  K_CHILD_RESTARTED,
  K_DIRECTIVE,
  K_DL_WITHDRAW,
  K_KILL,
  K_MIGRATE,
  K_STOP,
  K_STOPASK,
  K_TELL,
  K_TERM,
  K_WATCH,
} from '@troupe/scheduler';
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

/** An item; `k` is its kind, a K_* code of the scheduler's code space (scheduler codes.ts, items range). */
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
