/**
 * Supervision events on `system.events$`, in the structured style of OTP's
 * supervisor reports: who supervises (`supervisor`, `supervisorId`), which
 * child (`child` = its spec id, `actor` = the incarnation), and for failures
 * the `error`, the `offender` and the `context` (init | start | receive |
 * exit, like OTP's `errorContext`).
 */

import type { ActorCell } from '../../kernel/cell.ts';
import type { CellHost } from '../../kernel/cell-host.ts';
import type { ActorDescription } from '../../kernel/errors.ts';
import type { RestartType } from './spec.ts';

interface SupervisorEventBase {
  readonly at: number;
  readonly supervisor: ActorDescription;
  readonly supervisorId: string;
}

export interface ChildStartedEvent extends SupervisorEventBase {
  readonly type: 'supervisor.child-started';
  readonly child: string;
  readonly actor: ActorDescription;
}

export interface ChildFailedEvent extends SupervisorEventBase {
  readonly type: 'supervisor.child-failed';
  readonly child: string;
  readonly error: unknown;
  readonly offender: {
    readonly id: string;
    readonly actor: ActorDescription | undefined;
    readonly kind: 'worker' | 'supervisor';
    readonly restart: RestartType;
  };
  readonly context: 'init' | 'start' | 'receive' | 'exit';
}

export interface ChildRestartedEvent extends SupervisorEventBase {
  readonly type: 'supervisor.child-restarted';
  readonly child: string;
  readonly actor: ActorDescription | undefined;
  /** 1 for the child's first restart, then 2, 3, … */
  readonly attempt: number;
  /** Backoff waited before this restart, ms. */
  readonly delayMs: number;
}

export interface EscalatedEvent extends SupervisorEventBase {
  readonly type: 'supervisor.escalated';
  readonly child: string;
  readonly reason: 'intensity' | 'directive' | 'start';
  readonly error: unknown;
}

export interface IntensityExceededEvent extends SupervisorEventBase {
  readonly type: 'supervisor.intensity-exceeded';
  readonly child: string;
  readonly maxRestarts: number;
  readonly withinMs: number;
}

export type SupervisorEvent =
  | ChildStartedEvent
  | ChildFailedEvent
  | ChildRestartedEvent
  | EscalatedEvent
  | IntensityExceededEvent;

type Fields<E> = Omit<E, 'type' | 'at' | 'supervisor' | 'supervisorId'>;

export function emitSupervisorEvent<T extends SupervisorEvent['type']>(
  host: CellHost<ActorCell>,
  type: T,
  supervisor: ActorDescription,
  supervisorId: string,
  fields: Fields<Extract<SupervisorEvent, { type: T }>>,
): void {
  if (!host.events.hasListeners) return;
  host.emit({ type, at: host.clock.now(), supervisor, supervisorId, ...fields });
}

/** Events without a typed shape (resumed, killed, tree-level) go through here. */
export function emitSupervisorNote(
  host: CellHost<ActorCell>,
  type: `supervisor.${string}`,
  fields: Record<string, unknown>,
): void {
  if (!host.events.hasListeners) return;
  host.emit({ type, at: host.clock.now(), ...fields });
}
