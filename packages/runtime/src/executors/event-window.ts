/**
 * An executor's event window to the main thread: per-message events wait in
 * channels and the main thread's port until it reads them, so behind a slow
 * `events$` subscriber they would pile up without limit (+196 MB per million
 * messages). The window bounds what may be posted and not yet read.
 *
 * 1. Every forwarded event counts (`forwarded`); the main thread counts the
 *    ones it has read in the executor's board row (`SLOT.eventsRead`).
 * 2. A per-message event (`message.*`) is posted only while fewer than
 *    `size` events are unread; otherwise it is dropped and counted
 *    (`dropped`, published as `SLOT.eventsDropped`: `metrics()` shows it and
 *    the main thread emits `executor.events-dropped`).
 * 3. Lifecycle events (spawn, stop, failures, steals, shutdown…) are never
 *    dropped: they are few, and supervision and tests reason about them.
 *    They count toward the window, so per-message events give way to them.
 */
import { type Board, SLOT } from '@troupe/scheduler';

/** Events an executor may have posted to the main thread and not yet had read. */
export const EVENT_WINDOW = 16_384;

export class EventWindow {
  forwarded = 0;
  dropped = 0;

  constructor(
    private readonly board: Board,
    private readonly node: number,
    readonly size = EVENT_WINDOW,
  ) {}

  /** Step 2: whether `type` may be posted now; counts it either way. */
  admit(type: string): boolean {
    if (
      this.forwarded - this.board.get(this.node, SLOT.eventsRead) >= this.size &&
      type.startsWith('message.')
    ) {
      this.dropped++;
      return false;
    }
    this.forwarded++;
    return true;
  }

  publish(): void {
    this.board.set(this.node, SLOT.eventsForwarded, this.forwarded);
    this.board.set(this.node, SLOT.eventsDropped, this.dropped);
  }
}
