/**
 * The dead-letter log with executors (runtime log/dead-letters.ts): a message that cannot cross a
 * thread is said out loud, whichever thread sent it; lines go to the one logger on the main thread;
 * the rate limit is one window for the whole system, not one per executor.
 */
import { type ActorSystem, createSystem, type SystemOptions } from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import * as A from './fixtures/dead-letter-actors.ts';

const actors = new URL('./fixtures/dead-letter-actors.ts', import.meta.url);
let system: ActorSystem | undefined;

afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

async function boot(extra: SystemOptions = {}) {
  const lines: string[] = [];
  system = await createSystem({
    actors,
    executors: 2,
    topology: { groups: [[0], [1]] },
    logger: { warn: (l) => lines.push(l) },
    ...extra,
  });
  return { s: system, lines };
}

/** Stats once every executor has published. */
async function published(s: ActorSystem) {
  await s.syncStats();
  return s.stats();
}

describe('dead-letter log with executors', () => {
  it('a function told from the main thread to an executor is logged as unserializable', async () => {
    const { s, lines } = await boot();
    const sink = await s.spawn(A.sink, undefined, { placement: { executor: 1 } });
    sink.tell(() => 1);
    expect(s.stats().deadLettered.byReason.unserializable).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^troupe: message \\[function\\] to dl-sink#${sink.id} was not delivered \\(unserializable\\)\\. \\[1\\] dead letter encountered\\.`,
        ),
      ),
    ]);
  });

  it("an executor's dead letter reaches the main thread's logger, with its sender", async () => {
    const { s, lines } = await boot();
    const sink = await s.spawn(A.sink, undefined, { placement: { executor: 2 } });
    const sender = await s.spawn(A.sender, undefined, { placement: { executor: 1 } });
    sender.tell({ to: sink });
    await expect.poll(() => lines.length).toBe(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^troupe: message \\[function\\] from dl-sender#${sender.id} to dl-sink#${sink.id} was not delivered \\(unserializable\\)`,
      ),
    );
  });

  it('max lines per window for the whole system, not per executor', async () => {
    const { s, lines } = await boot({ deadLetters: { log: { max: 3, perMs: 60_000 } } });
    const sinks = [
      await s.spawn(A.sink, undefined, { placement: { executor: 1 } }),
      await s.spawn(A.sink, undefined, { placement: { executor: 2 } }),
    ];
    for (let i = 0; i < 5; i++) for (const k of sinks) k.tell({ type: 'boom' });
    await expect.poll(() => published(s).then((st) => st.deadLettered.byReason.failed)).toBe(10);
    // syncStats answered on each executor's channel after the lines it sent: all have arrived.
    await s.syncStats();
    expect(lines).toHaveLength(3);
    // Two executors write: their lines may arrive in either order, the counts are the first three.
    const counts = lines.map((l) => Number(/\[(\d+)\] dead letters? encountered/.exec(l)?.[1]));
    expect(counts.sort((a, b) => a - b)).toEqual([1, 2, 3]);
    expect(lines.filter((l) => l.includes('No more dead letters will be logged for 1 min.'))).toHaveLength(1);
  });

  it('deadLetters: { log: false } keeps every thread quiet', async () => {
    const { s, lines } = await boot({ deadLetters: { log: false } });
    const sink = await s.spawn(A.sink, undefined, { placement: { executor: 1 } });
    sink.tell(() => 1);
    sink.tell({ type: 'boom' });
    await expect.poll(() => published(s).then((st) => st.deadLettered.total)).toBe(2);
    await s.syncStats();
    expect(lines).toEqual([]);
  });
});
