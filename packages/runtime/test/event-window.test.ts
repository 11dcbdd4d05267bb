import { Board, SLOT } from '@troupe/scheduler';
import { describe, expect, it } from 'vitest';
import { EventWindow } from '../src/executors/event-window.ts';

describe('EventWindow', () => {
  it('posts per-message events while fewer than its size are unread, then drops and counts them', () => {
    const board = new Board(2);
    const w = new EventWindow(board, 1, 3);
    expect(['message.sent', 'message.received', 'message.processed'].map((t) => w.admit(t))).toEqual([
      true,
      true,
      true,
    ]);
    expect(w.admit('message.sent')).toBe(false);
    expect(w.admit('message.processed')).toBe(false);
    // Lifecycle events are never dropped; they take room from per-message ones.
    expect(w.admit('actor.stopped')).toBe(true);
    expect({ forwarded: w.forwarded, dropped: w.dropped }).toEqual({ forwarded: 4, dropped: 2 });
    // The main thread read two: two unread remain, room for one more.
    board.add(1, SLOT.eventsRead, 2);
    expect(w.admit('message.sent')).toBe(true);
    expect(w.admit('message.sent')).toBe(false);
    w.publish();
    expect([board.get(1, SLOT.eventsForwarded), board.get(1, SLOT.eventsDropped)]).toEqual([5, 3]);
  });
});
