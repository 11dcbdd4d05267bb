import { createSystem, defineActor, isConfigError, SimulatedClock } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';

const Counter = defineActor('counter', {
  init: (p: { start: number }) => ({ n: p.start }),
  receive(s, m: { type: 'inc' } | { type: 'get' }, ctx) {
    if (m.type === 'get') ctx.reply(s.n);
    return m.type === 'inc' ? { n: s.n + 1 } : s;
  },
});

describe('system', () => {
  it('spawns, tells, asks and accounts for every message', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const c = await system.spawn(Counter, { start: 5 }, { name: 'c' });
    c.tell({ type: 'inc' });
    c.tell({ type: 'inc' });
    await expect(c.ask({ type: 'get' })).resolves.toBe(7);
    expect(system.lookup('c')).toBe(c);
    const s = system.stats();
    expect(s).toMatchObject({ sent: 3, processed: 3, deadLettered: { total: 0 }, inFlight: 0 });
    await system.shutdown();
  });

  it('rejects unknown options naming the field', async () => {
    await expect(createSystem({ throughput: 0 })).rejects.toSatisfy(
      (e) => isConfigError(e) && e.context.path === 'options.throughput',
    );
  });
});
