import { toNdjson } from '@troupe/observability';
import { createSystem, defineActor } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';

const Boom = defineActor('boom', {
  init: () => 0,
  receive(): number {
    throw new Error('kaput');
  },
});

describe('toNdjson', () => {
  it('writes one JSON line per event, errors included', async () => {
    const system = await createSystem({});
    const lines: string[] = [];
    const sub = toNdjson(system.events$, (l) => lines.push(l));
    const b = await system.spawn(Boom, undefined);
    await expect(b.ask('x')).rejects.toThrow(/kaput/);
    await system.stop(b);
    sub.unsubscribe();
    const events = lines.map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['actor.spawned', 'message.sent', 'actor.failed', 'actor.stopped']),
    );
    const failed = events.find((e) => e.type === 'actor.failed');
    expect(failed.error).toMatchObject({ name: 'Error', message: 'kaput' });
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  });
});
