/**
 * Every timer an actor owns moves with it, keeping the time it had left
 * (src/kernel/timers.ts): `ctx.schedule` (once, repeating, keyed), a machine's
 * delayed events (`after`) and a retried message's backoff. Detached from
 * one system and rehydrated in another on the same SimulatedClock — the
 * snapshot path a migration between executors takes — the timer fires in the
 * new system at its original due time, and no longer in the old one.
 */
import {
  type ActorSystem,
  createSystem,
  type DeadLetter,
  defineActor,
  fromMachine,
  SimulatedClock,
} from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { retryPolicyOf } from '../src/features/retry/plugin.ts';
import { quiesce } from './helpers.ts';

type TMsg =
  | { type: 'arm'; ms: number; repeat?: boolean; key?: string }
  | { type: 'tick' }
  | { type: 'cancel'; key: string }
  | { type: 'get' };

const Ticker = defineActor('move.ticker', {
  init: () => ({ ticks: [] as number[] }),
  receive(s, m: TMsg, ctx) {
    if (m.type === 'arm') {
      const opts = { repeat: m.repeat ?? false, ...(m.key !== undefined ? { key: m.key } : {}) };
      ctx.schedule(m.ms, { type: 'tick' }, opts);
    } else if (m.type === 'tick') s.ticks.push(ctx.now());
    else if (m.type === 'cancel') ctx.reply(ctx.cancelSchedule(m.key));
    else ctx.reply([...s.ticks]);
    return s;
  },
});

const waiter = setup({}).createMachine({
  id: 'waiter',
  initial: 'idle',
  states: { idle: { on: { start: 'waiting' } }, waiting: { after: { 100: 'done' } }, done: {} },
});
const Waiter = defineActor('move.waiter', fromMachine(waiter));

/** Fails the first `job` it sees, then records each job's clock time; retried after 100 ms. */
const Flaky = defineActor(
  'move.flaky',
  {
    init: () => ({ failed: 0, done: [] as number[] }),
    receive(s, m: { type: 'job' } | { type: 'get' }, ctx) {
      if (m.type === 'get') ctx.reply([...s.done]);
      else if (s.failed++ === 0) throw new Error('the first try fails');
      else s.done.push(ctx.now());
      return s;
    },
  },
  { retry: { attempts: 1, backoff: 100 } },
);

const actors = { Ticker, Waiter, Flaky };

async function twoSystems(): Promise<{ a: ActorSystem; b: ActorSystem; clock: SimulatedClock }> {
  const clock = new SimulatedClock();
  const a = await createSystem({ clock, actors });
  const b = await createSystem({ clock, actors });
  return { a, b, clock };
}

/** Lets what is queued run, moves the clock, and lets what fired run. */
async function advance(clock: SimulatedClock, ms: number, ...systems: ActorSystem[]): Promise<void> {
  for (const s of systems) await quiesce(s);
  clock.advance(ms);
  for (const s of systems) await quiesce(s);
}

describe('timers move with their actor', () => {
  it('ctx.schedule fires where the actor landed, at its original due time, and not where it left', async () => {
    const { a, b, clock } = await twoSystems();
    const dead: DeadLetter[] = [];
    a.deadLetters$.subscribe((d) => dead.push(d));
    const t = a.spawnSync(Ticker, undefined);
    t.tell({ type: 'arm', ms: 100 });
    await advance(clock, 60, a);
    const moved = b.rehydrate<TMsg>(a.detach(t));
    await advance(clock, 39, a, b);
    expect(await moved.ask({ type: 'get' })).toEqual([]);
    await advance(clock, 1, a, b);
    expect(await moved.ask({ type: 'get' })).toEqual([100]);
    await advance(clock, 500, a, b);
    expect(await moved.ask({ type: 'get' })).toEqual([100]);
    expect(dead).toEqual([]); // nothing fired into the system it left
  });

  it('a repeating keyed timer keeps its period after the move and is cancelled by its key there', async () => {
    const { a, b, clock } = await twoSystems();
    const t = a.spawnSync(Ticker, undefined);
    t.tell({ type: 'arm', ms: 50, repeat: true, key: 'beat' });
    await advance(clock, 50, a);
    await advance(clock, 20, a); // ticked at 50, next due at 100
    const moved = b.rehydrate<TMsg>(a.detach(t));
    await advance(clock, 30, a, b);
    await advance(clock, 50, a, b);
    expect(await moved.ask({ type: 'get' })).toEqual([50, 100, 150]);
    expect(await moved.ask({ type: 'cancel', key: 'beat' })).toBe(true);
    await advance(clock, 200, a, b);
    expect(await moved.ask({ type: 'get' })).toEqual([50, 100, 150]);
    expect(await moved.ask({ type: 'cancel', key: 'beat' })).toBe(false);
  });

  it("a machine's after-transition completes where the actor landed, on time", async () => {
    const { a, b, clock } = await twoSystems();
    const w = a.spawnSync(Waiter, undefined);
    w.tell({ type: 'start' });
    await advance(clock, 60, a);
    expect(await w.ask<{ value: string }>({ type: 'peek' } as never)).toMatchObject({ value: 'waiting' });
    const moved = b.rehydrate(a.detach(w));
    await advance(clock, 39, a, b);
    expect(await moved.ask<{ value: string }>({ type: 'peek' })).toMatchObject({ value: 'waiting' });
    await advance(clock, 1, a, b);
    expect(await moved.ask<{ value: string }>({ type: 'peek' })).toMatchObject({ value: 'done' });
  });

  it("a retried message's backoff moves too, and so does the definition's retry policy", async () => {
    const { a, b, clock } = await twoSystems();
    const f = a.spawnSync(Flaky, undefined);
    f.tell({ type: 'job' }); // fails at 0, retried at 100
    await advance(clock, 40, a);
    const moved = b.rehydrate<{ type: 'job' } | { type: 'get' }>(a.detach(f));
    const done = moved.ask<number[]>({ type: 'get' }); // queued behind the held retry
    await advance(clock, 59, a, b);
    await advance(clock, 1, a, b);
    expect(await done).toEqual([100]);
    // The policy came along: the next first failure would be retried too (the fixture fails once only).
    expect(retryPolicyOf(b.host.cells.get(moved.id)!)).toBe(Flaky.retry);
  });
});
