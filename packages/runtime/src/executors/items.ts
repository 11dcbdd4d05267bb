/**
 * Routed items: what travels to an actor wherever it lives (link.ts routes
 * them, through migrations), then is applied to its cell there, or settled
 * where it cannot be. An item is a user message (`K_TELL`: an ask when its
 * meta is an AskHandle) or a system message (kernel/sysmsg.ts) with
 * the acknowledgement it may carry. Nothing else crosses: a new kind of
 * cross-thread operation is a system message, not a new item kind.
 */

import { K_TELL } from '@troupe/scheduler';
import type { AskHandle } from '../kernel/ask.ts';
import type { ActorCell } from '../kernel/cell.ts';
import { unwrap } from '../kernel/envelope.ts';
import type { DeadLetterReason } from '../kernel/events.ts';
import { deadSystem, type Host } from '../kernel/host.ts';
import type { ActorRef } from '../kernel/ref.ts';
import { RemoteAsk } from '../kernel/remote-ask.ts';
import type { SysMsg } from '../kernel/sysmsg.ts';
import { kindOf } from './sysmsg-codec.ts';

/**
 * An item; `k` is its kind, a K_* code of the scheduler's code space (codes.ts, items range):
 * K_TELL, or the kind of its system message (sysmsg-codec.ts).
 */
export interface Item {
  readonly k: number;
  readonly ref: ActorRef;
  /** The user message, or the SysMsg (its fields only on the wire: sysmsg-codec.ts). */
  readonly a: unknown;
  /** K_TELL: sender ref, ask handle or interceptor envelope (kernel/envelope.ts). Else the acknowledgement. */
  readonly meta: unknown;
}

export function tellItem(ref: ActorRef, msg: unknown, meta: unknown): Item {
  return { k: K_TELL, ref, a: msg, meta };
}

export function sysItem(ref: ActorRef, m: SysMsg, ack: AskHandle | undefined): Item {
  return { k: kindOf(m), ref, a: m, meta: ack };
}

/** The system message an item carries, or undefined for a user message. */
export function sysOf(item: Item): SysMsg | undefined {
  return item.k === K_TELL ? undefined : (item.a as SysMsg);
}

export function applyItem(host: Host, cell: ActorCell, item: Item): void {
  if (item.k === K_TELL) {
    // From a frame, or routed here after `route` checked it (link.ts): portable either way.
    cell.accept(item.a, item.meta);
    // An ask of a call chain from another thread (features/deadlock reentrancy and chains).
    const m = unwrap(item.meta);
    if (m instanceof RemoteAsk && m.chain !== 0) host.hooks.onRemoteAsk?.(cell, m);
    return;
  }
  cell.system(item.a as SysMsg, item.meta as AskHandle | undefined);
}

/** `error`: what an ask rejects with (default: the reason's, host.ts `errorFor`). */
export function deadItem(host: Host, item: Item, reason: DeadLetterReason, error?: unknown): void {
  if (item.k === K_TELL) {
    host.stats.sent++;
    host.deadLetter(item.a, item.meta, reason, item.ref, error);
    return;
  }
  deadSystem(host, item.ref, item.a as SysMsg, item.meta as AskHandle | undefined, reason, error);
}
