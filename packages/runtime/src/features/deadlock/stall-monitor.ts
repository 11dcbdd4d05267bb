/**
 * Stall and slow-handler detection by a periodic check on the injected clock,
 * so the message path does no extra work: the monitor only learns when an
 * async handler starts and ends (one map write each), and its timer is armed
 * only while some handler is pending.
 *
 * What it can see: an actor blocked in an async handler. A synchronous
 * handler that never returns blocks the thread and every timer with it; a
 * ready actor always gets a turn within one dispatcher round, so "no progress
 * with a non-empty mailbox" on this thread means "blocked in a handler".
 *
 * Invariants:
 * 1. `actor.stalled` (actor, depth, ageMs): the actor's mailbox is non-empty
 *    and it has taken no message for `stallMs` (since its handler began).
 * 2. `handler.slow` (actor, messageType, elapsedMs): the handler has run for
 *    `slowHandlerMs`.
 * 3. Each is emitted at most once per handler invocation.
 */
import type { ActorCell } from '../../kernel/cell.ts';
import type { TimerHandle } from '../../kernel/clock.ts';
import type { Host } from '../../kernel/host.ts';

interface Watch {
  readonly start: number;
  readonly msg: unknown;
  slow: boolean;
  stalled: boolean;
}

export class StallMonitor {
  private readonly awaiting = new Map<ActorCell, Watch>();
  private timer: TimerHandle | undefined = undefined;
  private readonly period: number;

  constructor(
    private readonly host: Host,
    private readonly stallMs: number | undefined,
    private readonly slowHandlerMs: number | undefined,
  ) {
    const shortest = Math.min(stallMs ?? Number.POSITIVE_INFINITY, slowHandlerMs ?? Number.POSITIVE_INFINITY);
    // A quarter of the threshold: an event arrives at most 25% late.
    this.period = Math.max(1, shortest / 4);
  }

  onAwait(cell: ActorCell, msg: unknown): void {
    this.awaiting.set(cell, { start: this.host.clock.now(), msg, slow: false, stalled: false });
    if (this.timer === undefined) this.timer = this.host.clock.setTimeout(this.tick, this.period);
  }

  onDone(cell: ActorCell): void {
    if (!this.awaiting.delete(cell) || this.awaiting.size > 0 || this.timer === undefined) return;
    this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const host = this.host;
    const now = host.clock.now();
    for (const [cell, w] of this.awaiting) {
      const age = now - w.start;
      if (!w.slow && this.slowHandlerMs !== undefined && age >= this.slowHandlerMs) {
        w.slow = true;
        host.emit({
          type: 'handler.slow',
          at: now,
          actor: cell.desc,
          messageType: host.typeOf(w.msg),
          elapsedMs: age,
        });
      }
      const depth = cell.mailbox.length;
      if (!w.stalled && this.stallMs !== undefined && depth > 0 && age >= this.stallMs) {
        w.stalled = true;
        host.emit({ type: 'actor.stalled', at: now, actor: cell.desc, depth, ageMs: age });
      }
    }
    if (this.awaiting.size > 0) this.timer = host.clock.setTimeout(this.tick, this.period);
  };
}
