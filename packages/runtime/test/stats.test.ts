import { describe, expect, it } from 'vitest';
import { Stats } from '../src/kernel/stats.ts';

describe('Stats', () => {
  it('counts dead letters by reason and reports in-flight messages', () => {
    const s = new Stats();
    s.sent = 10;
    s.processed = 6;
    s.deadLettered('stopped');
    s.deadLettered('stopped');
    s.deadLettered('mailbox-full');
    expect(s.snapshot(4)).toEqual({
      sent: 10,
      processed: 6,
      deadLettered: { total: 3, byReason: { stopped: 2, 'mailbox-full': 1 } },
      inFlight: 1,
      actors: 4,
    });
  });

  it('snapshots are detached copies', () => {
    const s = new Stats();
    const a = s.snapshot(0);
    s.deadLettered('failed');
    expect(a.deadLettered.total).toBe(0);
    expect(a.deadLettered.byReason).toEqual({});
  });
});
