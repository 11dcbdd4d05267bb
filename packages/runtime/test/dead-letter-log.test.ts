/**
 * Dead letters are logged by default (log/dead-letters.ts): one line each with reason,
 * definition and message type, at most `max` per `perMs` on the system's clock, then a
 * pause that the next line after it accounts for; `deadLetters: { log: false }` turns it off.
 */
import {
  type ActorRef,
  createSystem,
  defineActor,
  isConfigError,
  SimulatedClock,
  type SystemOptions,
} from '@troupe/runtime';
import { afterEach, describe, expect, it, vi } from 'vitest';

const Counter = defineActor('counter', {
  init: () => 0,
  receive: (n: number, m: { type: 'inc' } | { type: 'boom' }) => {
    if (m.type === 'boom') throw new Error('boom');
    return n + 1;
  },
});

async function boot(extra: SystemOptions = {}) {
  const lines: string[] = [];
  const clock = new SimulatedClock();
  const system = await createSystem({ clock, logger: { warn: (l) => lines.push(l) }, ...extra });
  return { system, clock, lines };
}

/** Tells `to` an `inc` from inside a handler: the dead letter has a sender. */
const Relay = defineActor('relay', {
  init: () => null,
  receive: (s: null, m: { to: ActorRef<{ type: 'inc' }> }) => {
    m.to.tell({ type: 'inc' });
    return s;
  },
});

const settle = () => new Promise<void>((r) => setImmediate(r));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('dead-letter log', () => {
  it('is on by default: one line with the message type, sender, definition, name and reason', async () => {
    const { system, lines } = await boot();
    const c = await system.spawn(Counter, undefined, { name: 'c1' });
    const relay = await system.spawn(Relay, undefined);
    await system.stop(c);
    c.tell({ type: 'inc' });
    relay.tell({ to: c });
    await settle();
    expect(lines).toEqual([
      `troupe: message [inc] to counter#${c.id} "c1" was not delivered (stopped). [1] dead letter encountered.` +
        ' Turn this log off or tune it with createSystem({ deadLetters: { log: false | { max, perMs } } }).',
      `troupe: message [inc] from relay#${relay.id} to counter#${c.id} "c1" was not delivered (stopped). [2] dead letters encountered.`,
    ]);
    expect(system.stats().deadLettered.total).toBe(2);
    await system.shutdown();
  });

  it('a failed message is logged with its reason', async () => {
    const { system, lines } = await boot();
    const c = await system.spawn(Counter, undefined);
    c.tell({ type: 'boom' });
    await settle();
    expect(lines).toEqual([
      expect.stringMatching(/^troupe: message \[boom\] to counter#\d+ was not delivered \(failed\)\./),
    ]);
    await system.shutdown();
  });

  it('writes at most max lines per perMs on the clock, says when it pauses, and counts what it skipped', async () => {
    const { system, clock, lines } = await boot({ deadLetters: { log: { max: 3, perMs: 1000 } } });
    const c = await system.spawn(Counter, undefined);
    await system.stop(c);
    for (let i = 0; i < 10; i++) c.tell({ type: 'inc' });
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('[3] dead letters encountered. No more dead letters will be logged for 1 s.');
    clock.advance(999);
    c.tell({ type: 'inc' });
    expect(lines).toHaveLength(3); // still paused
    clock.advance(1);
    c.tell({ type: 'inc' });
    expect(lines).toHaveLength(4);
    expect(lines[3]).toContain(
      '[12] dead letters encountered, 8 of them not logged while the log was paused.',
    );
    expect(system.stats().deadLettered.total).toBe(12);
    await system.shutdown();
  });

  it('a hostile message (its type getter throws) is logged without making tell throw', async () => {
    const { system, lines } = await boot();
    const c = await system.spawn(Counter, undefined);
    await system.stop(c);
    const hostile = {
      get type(): string {
        throw new Error('no type for you');
      },
    };
    expect(() => c.tell(hostile as never)).not.toThrow();
    expect(lines).toEqual([
      expect.stringMatching(/^troupe: message \[unreadable\] to counter#\d+ was not delivered \(stopped\)/),
    ]);
    await system.shutdown();
  });

  it('deadLetters: { log: false } turns it off; dead letters are still counted', async () => {
    const { system, lines } = await boot({ deadLetters: { log: false } });
    const c = await system.spawn(Counter, undefined);
    await system.stop(c);
    c.tell({ type: 'inc' });
    expect(lines).toEqual([]);
    expect(system.stats().deadLettered.total).toBe(1);
    await system.shutdown();
  });

  it('the default logger is console.warn', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const system = await createSystem({});
    const c = await system.spawn(Counter, undefined);
    await system.stop(c);
    c.tell({ type: 'inc' });
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^troupe: message \[inc\] to counter#\d+ .*\(stopped\)/),
    );
    await system.shutdown();
  });

  it('a shutdown’s own dead letters are left to its report', async () => {
    const { system, lines } = await boot();
    const c = await system.spawn(Counter, undefined);
    // Intake has stopped when the drain's hooks run: a tell from outside is dead-lettered `shutdown`.
    system.onShutdown('drain', () => c.tell({ type: 'inc' }));
    const report = await system.shutdown();
    expect(report.deadLettered.shutdown).toBe(1);
    expect(lines).toEqual([]);
  });

  it('a logger that throws does not break delivery accounting', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const system = await createSystem({
      logger: {
        warn: () => {
          throw new Error('logger down');
        },
      },
    });
    const c = await system.spawn(Counter, undefined);
    await system.stop(c);
    c.tell({ type: 'inc' });
    expect(write).toHaveBeenCalledWith(
      expect.stringContaining('troupe: the logger threw: Error: logger down'),
    );
    expect(system.stats().deadLettered.total).toBe(1);
    await system.shutdown();
  });

  it.each([
    [{ deadLetters: { log: { max: 0 } } }, 'options.deadLetters.log.max'],
    [{ deadLetters: { log: { max: 2.5 } } }, 'options.deadLetters.log.max'],
    [{ deadLetters: { log: { perMs: -1 } } }, 'options.deadLetters.log.perMs'],
    [{ deadLetters: { log: { max: 1, every: 2 } } }, 'options.deadLetters.log.every'],
    [{ deadLetters: { log: 'yes' } }, 'options.deadLetters.log'],
    [{ deadLetters: { lgo: false } }, 'options.deadLetters.lgo'],
    [{ deadLetters: 3 }, 'options.deadLetters'],
    [{ logger: { log: () => {} } }, 'options.logger'],
  ])('rejects %j with a ConfigError naming %s', async (options, path) => {
    await expect(createSystem(options as SystemOptions)).rejects.toSatisfy(
      (e: unknown) => isConfigError(e) && e.context.path === path,
    );
  });
});
