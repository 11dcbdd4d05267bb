/**
 * Deadlock detection across executors: wait-for edges forwarded to the main
 * thread's detector (deadlock/global.ts), confirmed, resolved on the asker's
 * executor. Actors of each cycle are placed on different executors.
 */
import {
  type ActorDefinition,
  type ActorRef,
  type ActorSystem,
  type AnyTroupeEvent,
  createSystem,
  type DeadlockOptions,
} from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import * as A from './fixtures/deadlock-actors.ts';

const actors = new URL('./fixtures/deadlock-actors.ts', import.meta.url);
let system: ActorSystem | undefined;

afterEach(async () => {
  await system?.terminateExecutors();
  system = undefined;
});

async function start(executors: number, deadlock?: DeadlockOptions): Promise<ActorSystem> {
  system = await createSystem({
    actors,
    executors,
    topology: { groups: Array.from({ length: executors }, (_, i) => [i]) },
    ...(deadlock ? { deadlock } : {}),
  });
  return system;
}

function collect(s: ActorSystem): Array<AnyTroupeEvent & Record<string, any>> {
  const out: Array<AnyTroupeEvent & Record<string, any>> = [];
  s.events$.subscribe((e) => out.push(e as AnyTroupeEvent & Record<string, any>));
  return out;
}

/** n ring actors, actor i on executor (i % executors) + 1, linked i → i+1 → … → 0. */
async function ring(
  s: ActorSystem,
  n: number,
  executors: number,
  defs: (i: number) => ActorDefinition<any, any, any> = () => A.ring,
): Promise<ActorRef<A.RingMsg>[]> {
  const refs: ActorRef<A.RingMsg>[] = [];
  for (let i = 0; i < n; i++)
    refs.push(await s.spawn(defs(i), { idx: i }, { placement: { executor: (i % executors) + 1 } }));
  for (let i = 0; i < n; i++) refs[i]!.tell({ type: 'link', next: refs[(i + 1) % n]! });
  return refs;
}

/** Quiescence: every executor published, nothing in flight. */
async function accounted(s: ActorSystem): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await s.syncStats();
    if (s.stats().inFlight === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const st = s.stats();
  expect(st.inFlight).toBe(0);
  expect(st.sent).toBe(st.processed + st.deadLettered.total);
}

const strip = (answer: string) => answer.replace(/@[\d.]+$/, '');

describe('deadlock detection across executors', () => {
  for (const [n, executors] of [
    [2, 2],
    [3, 3],
    [12, 3],
  ] as const) {
    it(`detects a cycle of length ${n} over ${executors} executors and fails the closing ask (fail-ask)`, async () => {
      const s = await start(executors, { strategy: 'fail-ask' });
      const events = collect(s);
      const refs = await ring(s, n, executors);
      const answer = await refs[0]!.ask<string>({ type: 'go' }, { timeoutMs: 15_000 });
      const chain = Array.from({ length: n - 1 }, (_, i) => `${i}>`).join('');
      expect(strip(answer)).toBe(`${chain}${n - 1}:deadlock`);
      const detected = events.filter((e) => e.type === 'deadlock.detected');
      expect(detected).toHaveLength(1);
      // The closing wait (the last actor's ask back to the first) comes first in the cycle.
      expect(detected[0]!.cycle.actors.map((a: { id: number }) => a.id)).toEqual(
        [n - 1, ...Array.from({ length: n - 1 }, (_, i) => i)].map((i) => refs[i]!.id),
      );
      const [resolved] = events.filter((e) => e.type === 'deadlock.resolved');
      expect(resolved).toMatchObject({
        strategy: 'fail-ask',
        action: { type: 'fail-ask', ask: detected[0]!.cycle.closing },
      });
      await accounted(s);
      // The closing ask's message, still queued on the first actor's executor, is withdrawn (as in-thread).
      expect(s.stats().deadLettered.byReason).toEqual({ deadlock: 1 });
      expect(events.filter((e) => e.type === 'deadlock.detected')).toHaveLength(1);
      expect(s.waitForGraph().edges).toHaveLength(0);
    });
  }
});
