/**
 * Dead letters: a message that will not be handled is counted by reason,
 * logged (the dead-letter log's hook), published as `message.dead-lettered`
 * and on `deadLetters$` — and when it is an ask, the asker's promise rejects
 * with the error that says why. A system message with nowhere to go gets the
 * answer it owes (`deadSystem`).
 */
import type { Subject } from 'rxjs';
import { AskHandle } from './ask.ts';
import { ActorCell } from './cell.ts';
import type { Clock } from './clock.ts';
import { unwrap } from './envelope.ts';
import { ActorStoppedError, MailboxFullError, ShutdownError, type TroupeError } from './errors.ts';
import {
  type AnyTroupeEvent,
  type DeadLetter,
  type DeadLetterReason,
  type EventBus,
  messageType,
} from './events.ts';
import type { DeadLetterHook } from './log/dead-letters.ts';
import { ActorRef } from './ref.ts';
import type { Stats } from './stats.ts';
import { type Ack, type SysMsg, terminatedMsg } from './sysmsg.ts';

/** What dead-lettering reads of the host (host.ts implements it). */
export interface DeadLetterHost {
  readonly stats: Stats;
  readonly clock: Clock;
  readonly events: EventBus;
  readonly deadLetters: Subject<DeadLetter>;
  readonly hooks: { readonly onDeadLetter: DeadLetterHook | null };
  emit(e: AnyTroupeEvent): void;
}

export function deadLetter(
  host: DeadLetterHost,
  msg: unknown,
  meta: unknown,
  reason: DeadLetterReason,
  recipient?: ActorCell | ActorRef,
  error?: unknown,
): void {
  host.stats.deadLettered(reason);
  meta = unwrap(meta); // an interceptor's envelope: its sender or ask is inside
  const to =
    recipient === undefined
      ? undefined
      : recipient instanceof ActorCell
        ? recipient.desc
        : recipient.toJSON();
  const sender = meta instanceof ActorRef ? meta : meta instanceof AskHandle ? meta.sender : undefined;
  if (meta instanceof AskHandle) meta.reject(error ?? errorFor(reason, recipient, to));
  const log = host.hooks.onDeadLetter;
  if (log !== null) log(msg, reason, to, sender?.toJSON());
  const at = host.clock.now();
  if (host.events.hasListeners)
    host.emit({
      type: 'message.dead-lettered',
      at,
      to,
      from: sender?.toJSON(),
      messageType: messageType(msg),
      reason,
    });
  if (host.deadLetters.observed)
    host.deadLetters.next({ message: msg, recipient: to, sender: sender?.toJSON(), reason, at });
}

function errorFor(
  reason: DeadLetterReason,
  recipient: ActorCell | ActorRef | undefined,
  to: any,
): TroupeError {
  switch (reason) {
    case 'mailbox-full':
    case 'dropped':
      return new MailboxFullError(to, recipient instanceof ActorCell ? recipient.capacity : 0);
    case 'shutdown':
      return new ShutdownError('ask');
    default:
      return new ActorStoppedError(to ?? { id: 0, def: '?' }, reason);
  }
}

/**
 * A system message that cannot reach its actor (gone, or no host knows it):
 * dropped, except what owes an answer — a watch gets `terminated(reason)`, a
 * stop's acknowledgement resolves (the actor is gone), a feature message's
 * acknowledgement rejects with `error` (default: ActorStoppedError(reason)).
 */
export function deadSystem(
  host: { sendSystem(ref: ActorRef, m: SysMsg, ack?: Ack): void },
  ref: ActorRef,
  m: SysMsg,
  ack: Ack | undefined,
  reason: string,
  error?: unknown,
): void {
  if (m.tag === 'watch') host.sendSystem(m.watcher, terminatedMsg(ref, reason));
  else if (ack === undefined) return;
  else if (m.tag === 'stop') ack.resolve(undefined);
  else ack.reject(error ?? new ActorStoppedError(ref.toJSON(), reason));
}
