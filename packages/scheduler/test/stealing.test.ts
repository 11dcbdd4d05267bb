import { describe, expect, it } from 'vitest';
import { Board, SLOT } from '../src/board.ts';
import {
  MAX_STEAL,
  MessageCost,
  SPARE_MS,
  StealController,
  stealCount,
  worthMoving,
} from '../src/stealing.ts';

/** Executors 1..4; groups [0, 1, 0, 1]. */
function board(depths: number[]): Board {
  const b = new Board(5);
  depths.forEach((d, i) => {
    const n = i + 1;
    b.set(n, SLOT.alive, 1);
    b.set(n, SLOT.group, i % 2);
    b.set(n, SLOT.queueDepth, d);
    b.set(n, SLOT.idleAt, -100); // last out of work long ago: thieves idle, victims saturated
  });
  return b;
}
const config = { enabled: true, maxStealRetries: 3, stealCooldownMs: 5, stealThreshold: 2 };

describe('StealController (receiver-initiated protocol)', () => {
  it('asks the most loaded executor of its own group first', () => {
    const b = board([0, 9, 4, 20]); // 3 is group 0 with depth 4; 2 and 4 are group 1
    const c = new StealController(1, b, config);
    expect(c.poll(0, 0)).toEqual({ victim: 3, cross: false, rounds: 0 });
    expect(b.get(1, SLOT.stealAttempts)).toBe(1);
    expect(c.poll(0, 1)).toBeNull(); // one request outstanding at a time
    c.reply(2, 1);
    expect(b.get(1, SLOT.stealSuccesses)).toBe(1);
    expect(b.get(1, SLOT.numaCrossings)).toBe(0);
  });

  it('crosses groups only after maxStealRetries failed rounds with the cooldown between', () => {
    const b = board([0, 9, 0, 0]); // only executor 2 (other group) has work
    const c = new StealController(1, b, config);
    const t = [0, 5, 10];
    for (const now of t) expect(c.poll(0, now)).toBeNull(); // rounds 1..3 fail locally
    expect(c.poll(0, 12)).toBeNull(); // still cooling down
    expect(c.poll(0, 15)).toEqual({ victim: 2, cross: true, rounds: 3 });
    c.reply(1, 15);
    expect(b.get(1, SLOT.numaCrossings)).toBe(1);
    expect(b.get(1, SLOT.stealSuccesses)).toBe(1);
    // a success resets the rounds: the next cross-group steal waits for the retries again
    expect(c.poll(0, 16)).toBeNull();
  });

  it('leaves alone, for SPARE_MS, an executor it gathered its actors onto (no thrash with compaction)', () => {
    const b = board([0, 0, 9, 0]); // 3 shares group 0 with 1
    const c = new StealController(1, b, config);
    c.gathered(3, 100);
    expect(c.poll(0, 100)).toBeNull();
    expect(c.poll(0, 100 + SPARE_MS - 1)).toBeNull();
    expect(b.get(1, SLOT.stealAttempts)).toBe(0);
    // No victim is no failed round (rounds stay 0); past SPARE_MS it is a victim again.
    expect(c.poll(0, 100 + SPARE_MS + config.stealCooldownMs)).toEqual({
      victim: 3,
      cross: false,
      rounds: 0,
    });
  });

  it('a victim that gives nothing costs a round; a threshold keeps tiny backlogs home', () => {
    const b = board([0, 0, 3, 1]);
    const c = new StealController(1, b, config);
    expect(c.poll(0, 0)).toEqual({ victim: 3, cross: false, rounds: 0 });
    c.reply(0, 0);
    expect(c.poll(0, 1)).toBeNull(); // cooldown
    b.set(3, SLOT.queueDepth, 1); // below the threshold: nothing to steal anywhere
    expect(c.poll(0, 10)).toBeNull();
    expect(b.get(1, SLOT.stealAttempts)).toBe(1);
  });

  it('steals only between a mostly idle thief and a victim busy without a break (no thrash)', () => {
    const b = board([0, 0, 9, 0]);
    const c = new StealController(1, b, config);
    // Latency-bound traffic: the victim ran out of work 0.5 ms ago; it is waiting, not overloaded.
    b.set(3, SLOT.idleAt, 99.5);
    expect(c.poll(0, 100, 0)).toBeNull();
    b.set(3, SLOT.idleAt, 90);
    // The thief worked half of its last window (4 of 8 ms): it is waiting on answers, not starved.
    expect(c.poll(0, 108, 4)).toBeNull();
    expect(b.get(1, SLOT.stealAttempts)).toBe(0);
    // A quiet window (0.5 of 6 ms busy): now it steals.
    expect(c.poll(0, 114, 4.5)).toEqual({ victim: 3, cross: false, rounds: 0 });
  });

  it('a thief that ran dry asks after QUIET_MS, without waiting for its window to end', () => {
    const b = board([0, 0, 9, 0]);
    const c = new StealController(1, b, config);
    expect(c.poll(2, 95, 0)).toBeNull(); // its own work…
    expect(c.poll(2, 100, 5)).toBeNull(); // …all of the window 95-100
    expect(c.poll(1, 101, 6)).toBeNull();
    expect(c.poll(0, 101.9, 6.85)).toBeNull(); // ran dry at 101.85; this tick was busy
    expect(c.poll(0, 103, 6.9)).toBeNull(); // quiet for 1.1 ms only, and its last window was all busy
    expect(c.poll(0, 104, 6.9)).toEqual({ victim: 3, cross: false, rounds: 0 }); // quiet for 2.1 ms
  });

  it('does nothing while its own queue has work or stealing is off', () => {
    const b = board([0, 9, 9, 9]);
    expect(new StealController(1, b, config).poll(3, 0)).toBeNull();
    expect(new StealController(1, b, { ...config, enabled: false }).poll(0, 0)).toBeNull();
  });

  it('hands over up to half of the ready actors, none below the threshold', () => {
    expect(stealCount(1, 2)).toBe(0);
    expect(stealCount(2, 2)).toBe(1);
    expect(stealCount(9, 2)).toBe(4);
  });
});

describe('Placer', () => {
  it('spreads over the least loaded executors, round robin among equals', async () => {
    const { Placer } = await import('../src/placement.ts');
    const b = board([0, 0, 0, 5]);
    const p = new Placer(b);
    const picks = [0, 1, 2, 3, 4, 5].map(() => p.choose('spread', 0, 'spawn'));
    expect(picks).toEqual([1, 2, 3, 1, 2, 3]);
    expect(p.choose('local', 2, 'spawn')).toBe(2);
    expect(p.choose({ group: 1 }, 0, 'spawn')).toBe(2); // 2 and 4 are group 1; 4 is busy
    expect(p.choose({ executor: 4 }, 0, 'spawn')).toBe(4);
    expect(p.choose({ executor: 7 }, 0, 'spawn')).toMatchObject({ path: 'spawn.executor' });
    expect(p.choose('nowhere', 0, 'spawn')).toMatchObject({ path: 'spawn' });
  });
});

describe('what a steal moves', () => {
  it('at most half of the ready actors, at most MAX_STEAL', () => {
    expect(stealCount(1, 2)).toBe(0);
    expect(stealCount(3, 2)).toBe(1);
    expect(stealCount(32, 2)).toBe(16);
    expect(stealCount(40_000, 2)).toBe(MAX_STEAL);
  });

  it('only actors whose pending work is worth a migration, by the cost per message of their kind', () => {
    const cost = new MessageCost<object>();
    const spawner = {};
    const child = {};
    cost.add(spawner, 100, 1); // one long turn: a spawner's
    for (let i = 0; i < 100; i++) cost.add(child, 0.05, 64); // many cheap ones
    expect(cost.of(spawner)).toBe(100);
    expect(cost.of(child)).toBeCloseTo(0.05 / 64, 6);
    expect(cost.of({})).toBe(0); // never timed
    expect(worthMoving(1, cost.of(child))).toBe(false); // a child with one cheap message stays
    expect(worthMoving(100, 0.05)).toBe(true); // 100 slices of 50 µs go
    expect(worthMoving(1, 5)).toBe(true); // one 5 ms task goes
    expect(worthMoving(1, 0)).toBe(false);
    // 10,000 messages of 0.04 µs: cheaper to handle here than to ship (Fork-Join throughput).
    expect(worthMoving(10_000, 0.00004)).toBe(false);
  });
});
