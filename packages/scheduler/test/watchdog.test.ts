/**
 * The watchdog's shared record and its hang verdicts, driven by an injected
 * clock and explicit `check()` calls (no threads, no timers).
 */
import { describe, expect, it } from 'vitest';
import { type RunningRecord, Watchdog, WatchdogBoard } from '../src/watchdog.ts';

function rig(hangTimeoutMs = 200, intervalMs = 50) {
  const board = new WatchdogBoard(4);
  let now = 0;
  const hung: { node: number; running: RunningRecord; silentMs: number }[] = [];
  const dog = new Watchdog(board, {
    hangTimeoutMs,
    intervalMs,
    now: () => now,
    onHung: (node, running, silentMs) => hung.push({ node, running, silentMs }),
  });
  const advance = (ms: number) => {
    // One check per interval, as the timer would run them.
    for (let t = 0; t < ms; t += intervalMs) {
      now += intervalMs;
      dog.check();
    }
  };
  return { board, dog, hung, advance, at: () => now };
}

describe('WatchdogBoard', () => {
  it('names the running actor, its definition and message type from another view of the buffer', () => {
    const writer = new WatchdogBoard(3);
    const reader = new WatchdogBoard(3, writer.buffer);
    expect(reader.running(2)).toEqual({ actor: 0, def: undefined, messageType: undefined });
    writer.turn(2, 4097, 'worker', 'spin');
    expect(reader.running(2)).toEqual({ actor: 4097, def: 'worker', messageType: 'spin' });
    writer.turn(2, 8193, 'worker', 'inc');
    expect(reader.running(2)).toEqual({ actor: 8193, def: 'worker', messageType: 'inc' });
    expect(reader.beats(2)).toBe(2);
    writer.idle(2);
    expect(reader.running(2).actor).toBe(0);
    expect(reader.running(1).actor).toBe(0);
  });

  it('cuts names longer than its slot instead of spilling into the next one', () => {
    const b = new WatchdogBoard(2);
    b.turn(1, 7, 'd'.repeat(100), 't'.repeat(100));
    const r = b.running(1);
    expect(r.def).toBe('d'.repeat(64));
    expect(r.messageType).toBe('t'.repeat(64));
  });

  it('names alternate turns correctly and say when its string table is full', () => {
    const b = new WatchdogBoard(2);
    for (let i = 0; i < 3; i++) {
      b.turn(1, 1, 'ping', 'pong');
      expect(b.running(1)).toEqual({ actor: 1, def: 'ping', messageType: 'pong' });
      b.turn(1, 2, 'pong', 'ping');
      expect(b.running(1)).toEqual({ actor: 2, def: 'pong', messageType: 'ping' });
    }
    for (let i = 0; i < 300; i++) b.turn(1, 3, 'worker', `type-${i}`);
    expect(b.running(1).def).toBe('worker');
    expect(b.running(1).messageType).toMatch(/not recorded/);
    b.turn(1, 3, 'worker', 'type-7');
    expect(b.running(1).messageType).toBe('type-7');
  });

  it('counts frames in transit to a node from every sender', () => {
    const b = new WatchdogBoard(3);
    for (let i = 0; i < 5; i++) b.sentTo(0, 2);
    for (let i = 0; i < 3; i++) b.sentTo(1, 2);
    for (let i = 0; i < 4; i++) b.receivedFrom(2, 0);
    b.receivedFrom(2, 1);
    b.sentTo(2, 1);
    expect(b.inTransitTo(2)).toBe(3);
    expect(b.inTransitTo(1)).toBe(1);
    b.reset(2);
    expect(b.inTransitTo(2)).toBe(0);
    expect(b.beats(2)).toBe(0);
  });
});

describe('Watchdog', () => {
  it('declares a silent node hung within hangTimeoutMs + one interval, once', () => {
    const { board, dog, hung, advance } = rig();
    dog.watch(1);
    dog.watch(2);
    board.turn(1, 1025, 'worker', 'spin');
    // Node 2 keeps beating; node 1 stops at its turn.
    for (let i = 0; i < 10; i++) {
      board.beat(2);
      advance(50);
    }
    expect(hung).toHaveLength(1);
    expect(hung[0]!.node).toBe(1);
    expect(hung[0]!.running).toEqual({ actor: 1025, def: 'worker', messageType: 'spin' });
    expect(hung[0]!.silentMs).toBeGreaterThan(200);
    expect(hung[0]!.silentMs).toBeLessThanOrEqual(250);
    for (let i = 0; i < 20; i++) {
      board.beat(2);
      advance(50);
    }
    expect(hung).toHaveLength(1);
    dog.stop();
  });

  it('does not judge silence it could not observe (its own check ran late)', () => {
    const { board, dog, hung } = rig();
    let now = 0;
    const late = new Watchdog(board, {
      hangTimeoutMs: 200,
      intervalMs: 50,
      now: () => now,
      onHung: () => hung.push({} as never),
    });
    late.watch(1);
    now = 1000; // the main thread was blocked for a second
    late.check();
    expect(hung).toHaveLength(0);
    now = 1050;
    late.check();
    expect(hung).toHaveLength(0);
    dog.stop();
    late.stop();
  });

  it('forgets unwatched nodes', () => {
    const { dog, hung, advance } = rig();
    dog.watch(3);
    dog.unwatch(3);
    advance(1000);
    expect(hung).toHaveLength(0);
    dog.stop();
  });
});
