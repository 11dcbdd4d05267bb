import { SimulatedClock, systemClock } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';

describe('SimulatedClock', () => {
  it('fires nothing until advanced, then in deadline order, ties in arming order', () => {
    const c = new SimulatedClock(100);
    const log: string[] = [];
    c.setTimeout(() => log.push('b@20'), 20);
    c.setTimeout(() => log.push('a@10'), 10);
    c.setTimeout(() => log.push('c@20'), 20);
    expect(c.pending).toBe(3);
    c.advance(9);
    expect(log).toEqual([]);
    expect(c.now()).toBe(109);
    c.advance(11);
    expect(log).toEqual(['a@10', 'b@20', 'c@20']);
    expect(c.now()).toBe(120);
    expect(c.pending).toBe(0);
  });

  it('fires timers armed while advancing when they fall inside the window, with now() at their deadline', () => {
    const c = new SimulatedClock();
    const at: number[] = [];
    const every = () => {
      at.push(c.now());
      if (at.length < 5) c.setTimeout(every, 10);
    };
    c.setTimeout(every, 10);
    c.advance(35);
    expect(at).toEqual([10, 20, 30]);
    c.advance(100);
    expect(at).toEqual([10, 20, 30, 40, 50]);
  });

  it('clearTimeout cancels; step jumps to the next timer', () => {
    const c = new SimulatedClock();
    const log: number[] = [];
    const h = c.setTimeout(() => log.push(1), 5);
    c.setTimeout(() => log.push(2), 50);
    c.clearTimeout(h);
    expect(c.pending).toBe(1);
    expect(c.step()).toBe(true);
    expect(log).toEqual([2]);
    expect(c.now()).toBe(50);
    expect(c.step()).toBe(false);
  });

  it('treats a negative delay as zero', () => {
    const c = new SimulatedClock();
    let fired = false;
    c.setTimeout(() => (fired = true), -5);
    c.advance(0);
    expect(fired).toBe(true);
  });
});

describe('systemClock', () => {
  it('reads performance time and arms unref-ed timers that can be cleared', () => {
    const t = systemClock.now();
    expect(t).toBeGreaterThan(0);
    const h = systemClock.setTimeout(() => {
      throw new Error('must not fire');
    }, 60_000);
    expect((h as unknown as NodeJS.Timeout).hasRef()).toBe(false);
    systemClock.clearTimeout(h);
  });
});
