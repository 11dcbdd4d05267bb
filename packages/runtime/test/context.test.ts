import {
  type ActorRef,
  type Cancellable,
  defineActor,
  isActorStoppedError,
  isConfigError,
  isTerminated,
  type PendingReply,
  type Terminated,
} from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { deferred, quiesce, simSystem } from './helpers.ts';

/** A child that logs its lifecycle into a shared array. */
const log: string[] = [];
const Child = defineActor('ctx.child', {
  init: (p: { name: string }) => p.name,
  onStart(s: string) {
    log.push(`start ${s}`);
  },
  receive: (s: string) => s,
  onStop(s: string) {
    log.push(`stop ${s}`);
  },
});

type ParentMsg = { type: 'spawn'; name: string } | { type: 'stop-child'; name: string } | { type: 'kids' };
const Parent = defineActor('ctx.parent', {
  init: (p: { name: string }) => ({ name: p.name, kids: new Map<string, ActorRef>() }),
  onStart(s) {
    log.push(`start ${s.name}`);
  },
  receive(s, m: ParentMsg, ctx) {
    if (m.type === 'spawn') s.kids.set(m.name, ctx.spawn(Child, { name: m.name }));
    else if (m.type === 'stop-child') ctx.stop(s.kids.get(m.name));
    else ctx.reply(ctx.children().map((r) => r.id));
    return s;
  },
  onStop(s) {
    log.push(`stop ${s.name}`);
  },
  pinned: true,
});

describe('lifecycle', () => {
  it('runs onStart before the first message and stops children before the parent onStop', async () => {
    log.length = 0;
    const { system } = await simSystem();
    const p = system.spawnSync(Parent, { name: 'p' });
    p.tell({ type: 'spawn', name: 'c1' });
    p.tell({ type: 'spawn', name: 'c2' });
    const kids = await p.ask<number[]>({ type: 'kids' });
    expect(kids).toHaveLength(2);
    expect(log).toEqual(['start p', 'start c1', 'start c2']);
    await system.stop(p);
    expect(log.slice(3).sort()).toEqual(['stop c1', 'stop c2', 'stop p']);
    expect(log.at(-1)).toBe('stop p');
    expect(system.stats().actors).toBe(0);
  });

  it('ctx.stop(child) stops only that child', async () => {
    log.length = 0;
    const { system } = await simSystem();
    const p = system.spawnSync(Parent, { name: 'p' });
    p.tell({ type: 'spawn', name: 'a' });
    p.tell({ type: 'spawn', name: 'b' });
    p.tell({ type: 'stop-child', name: 'a' });
    await quiesce(system);
    expect(await p.ask<number[]>({ type: 'kids' })).toHaveLength(1);
    expect(log).toContain('stop a');
    expect(log).not.toContain('stop b');
  });

  it('an async onStart holds the mailbox until it settles; its result becomes the state', async () => {
    const { system } = await simSystem();
    const gate = deferred<number>();
    const Slow = defineActor('ctx.slow-start', {
      init: () => 0,
      onStart: () => gate.promise,
      receive(s: number, _m: 'get', ctx) {
        ctx.reply(s);
        return s;
      },
    });
    const ref = system.spawnSync(Slow, undefined);
    const got = ref.ask<number>('get');
    await quiesce(system);
    expect(system.stats().processed).toBe(0);
    gate.resolve(42);
    await expect(got).resolves.toBe(42);
  });

  it('an async onStop finishes before the actor counts as stopped', async () => {
    const { system } = await simSystem();
    const gate = deferred();
    const events: string[] = [];
    const S = defineActor('ctx.slow-stop', {
      init: () => 0,
      receive: (s: number) => s,
      onStop: () => gate.promise,
    });
    const ref = system.spawnSync(S, undefined);
    const stopped = system.stop(ref).then(() => events.push('stopped'));
    await quiesce(system);
    expect(events).toEqual([]);
    expect(system.stats().actors).toBe(1);
    gate.resolve();
    await stopped;
    expect(system.stats().actors).toBe(0);
  });

  it('a spawn on a stopped parent is refused with ActorStoppedError', async () => {
    const { system } = await simSystem();
    const p = system.spawnSync(Child, { name: 'x' });
    await system.stop(p);
    try {
      system.spawnSync(Child, { name: 'y' }, { parent: p });
      expect.unreachable();
    } catch (e) {
      expect(isActorStoppedError(e)).toBe(true);
    }
  });

  it('spawn with an explicit parent links the child to it', async () => {
    log.length = 0;
    const { system } = await simSystem();
    const p = system.spawnSync(Child, { name: 'p' });
    system.spawnSync(Child, { name: 'k' }, { parent: p });
    await quiesce(system);
    await system.stop(p);
    expect(log.filter((l) => l.startsWith('stop'))).toEqual(['stop k', 'stop p']);
  });
});

describe('death watch', () => {
  it('delivers Terminated to onTerminated', async () => {
    const { system } = await simSystem();
    const seen: Array<[number, string]> = [];
    const Watcher = defineActor('ctx.watcher', {
      init: () => 0,
      receive(s: number, m: { watch: ActorRef }, ctx) {
        ctx.watch(m.watch);
        return s;
      },
      onTerminated(s: number, t: Terminated) {
        seen.push([t.ref.id, t.reason]);
        return s + 1;
      },
    });
    const target = system.spawnSync(Child, { name: 't' });
    const w = system.spawnSync(Watcher, undefined);
    w.tell({ watch: target });
    await quiesce(system);
    await system.stop(target);
    await quiesce(system);
    expect(seen).toEqual([[target.id, 'stopped']]);
  });

  it('delivers Terminated to receive when there is no onTerminated', async () => {
    const { system } = await simSystem();
    const seen: unknown[] = [];
    const Watcher = defineActor('ctx.watcher2', {
      init: () => 0,
      receive(s: number, m: { watch: ActorRef } | Terminated, ctx) {
        if (isTerminated(m)) seen.push(m.ref.id);
        else ctx.watch(m.watch);
        return s;
      },
    });
    const target = system.spawnSync(Child, { name: 't' });
    const w = system.spawnSync(Watcher, undefined);
    w.tell({ watch: target });
    await quiesce(system);
    await system.stop(target);
    await quiesce(system);
    expect(seen).toEqual([target.id]);
    // Terminated is a system notification, not a user message.
    expect(system.stats()).toMatchObject({ sent: 1, processed: 1 });
  });

  it('watching an actor that is already gone delivers Terminated at once', async () => {
    const { system } = await simSystem();
    const seen: string[] = [];
    const Watcher = defineActor('ctx.watcher3', {
      init: () => 0,
      receive(s: number, m: { watch: ActorRef }, ctx) {
        ctx.watch(m.watch);
        return s;
      },
      onTerminated(s: number, t: Terminated) {
        seen.push(t.reason);
        return s;
      },
    });
    const target = system.spawnSync(Child, { name: 't' });
    await system.stop(target);
    const w = system.spawnSync(Watcher, undefined);
    w.tell({ watch: target });
    await quiesce(system);
    expect(seen).toHaveLength(1);
  });

  it('unwatch before the stop means no Terminated', async () => {
    const { system } = await simSystem();
    const seen: unknown[] = [];
    const Watcher = defineActor('ctx.watcher4', {
      init: () => 0,
      receive(s: number, m: { watch?: ActorRef; unwatch?: ActorRef }, ctx) {
        if (m.watch) ctx.watch(m.watch);
        if (m.unwatch) ctx.unwatch(m.unwatch);
        return s;
      },
      onTerminated(s: number, t: Terminated) {
        seen.push(t);
        return s;
      },
    });
    const target = system.spawnSync(Child, { name: 't' });
    const w = system.spawnSync(Watcher, undefined);
    w.tell({ watch: target });
    w.tell({ unwatch: target });
    await quiesce(system);
    await system.stop(target);
    await quiesce(system);
    expect(seen).toEqual([]);
  });

  it('ctx.watch/unwatch/stop reject a non-ref with a ConfigError', async () => {
    const { system } = await simSystem();
    const errors: unknown[] = [];
    const Bad = defineActor('ctx.bad', {
      init: () => 0,
      receive(s: number, m: 'watch' | 'unwatch' | 'stop' | 'tell' | 'ask', ctx) {
        try {
          if (m === 'watch') ctx.watch({} as never);
          else if (m === 'unwatch') ctx.unwatch(1 as never);
          else if (m === 'stop') ctx.stop('x' as never);
          else if (m === 'tell') ctx.tell(null as never, 1);
          else void ctx.ask(null as never, 1);
        } catch (e) {
          errors.push(isConfigError(e) ? e.context.path : e);
        }
        return s;
      },
    });
    const b = system.spawnSync(Bad, undefined);
    for (const m of ['watch', 'unwatch', 'stop', 'tell', 'ask'] as const) b.tell(m);
    await quiesce(system);
    expect(errors).toEqual([
      'ctx.watch(ref)',
      'ctx.unwatch(ref)',
      'ctx.stop(ref)',
      'ctx.tell(ref)',
      'ctx.ask(ref)',
    ]);
  });
});

describe('ctx.schedule', () => {
  type TMsg =
    | { type: 'arm'; ms: number; repeat?: boolean }
    | { type: 'tick' }
    | { type: 'cancel' }
    | { type: 'get' };
  const Timer = defineActor('ctx.timer', {
    init: () => ({ ticks: [] as number[], handle: null as Cancellable | null }),
    receive(s, m: TMsg, ctx) {
      switch (m.type) {
        case 'arm':
          s.handle = ctx.schedule(m.ms, { type: 'tick' }, { repeat: m.repeat ?? false });
          break;
        case 'tick':
          s.ticks.push(ctx.now());
          break;
        case 'cancel':
          s.handle?.cancel();
          break;
        case 'get':
          ctx.reply([...s.ticks]);
      }
      return s;
    },
    pinned: true,
  });

  it('delivers once after the delay on the injected clock', async () => {
    const { system, clock } = await simSystem();
    const t = system.spawnSync(Timer, undefined);
    t.tell({ type: 'arm', ms: 100 });
    await quiesce(system);
    clock.advance(99);
    await quiesce(system);
    expect(await t.ask({ type: 'get' })).toEqual([]);
    clock.advance(1);
    await quiesce(system);
    expect(await t.ask({ type: 'get' })).toEqual([100]);
    clock.advance(1000);
    await quiesce(system);
    expect(await t.ask({ type: 'get' })).toEqual([100]);
  });

  it('repeats until cancelled', async () => {
    const { system, clock } = await simSystem();
    const t = system.spawnSync(Timer, undefined);
    t.tell({ type: 'arm', ms: 10, repeat: true });
    await quiesce(system);
    for (let i = 0; i < 3; i++) {
      clock.advance(10);
      await quiesce(system);
    }
    t.tell({ type: 'cancel' });
    await quiesce(system);
    clock.advance(100);
    await quiesce(system);
    expect(await t.ask({ type: 'get' })).toEqual([10, 20, 30]);
    expect(clock.pending).toBe(0);
  });

  it('is cancelled when the actor stops', async () => {
    const { system, clock } = await simSystem();
    const t = system.spawnSync(Timer, undefined);
    t.tell({ type: 'arm', ms: 10, repeat: true });
    await quiesce(system);
    await system.stop(t);
    expect(clock.pending).toBe(0);
    clock.advance(100);
    await quiesce(system);
    expect(system.stats()).toMatchObject({ sent: 1, processed: 1, inFlight: 0 });
  });

  it('can target another actor', async () => {
    const { system, clock } = await simSystem();
    const got: unknown[] = [];
    const Sink = defineActor('ctx.sink', {
      init: () => 0,
      receive(s: number, m: unknown, ctx) {
        got.push([m, ctx.sender?.id]);
        return s;
      },
    });
    const sink = system.spawnSync(Sink, undefined);
    const Sched = defineActor('ctx.sched', {
      init: () => 0,
      receive(s: number, m: ActorRef, ctx) {
        ctx.schedule(5, 'hello', { to: m });
        return s;
      },
    });
    const sch = system.spawnSync(Sched, undefined);
    sch.tell(sink);
    await quiesce(system);
    clock.advance(5);
    await quiesce(system);
    expect(got).toEqual([['hello', sch.id]]);
  });

  it.each([
    [-1, undefined, 'ctx.schedule(delayMs)'],
    [Number.NaN, undefined, 'ctx.schedule(delayMs)'],
    [Number.POSITIVE_INFINITY, undefined, 'ctx.schedule(delayMs)'],
    [0, { repeat: true }, 'ctx.schedule(delayMs)'],
    [1, { to: 'nope' }, 'ctx.schedule(options.to)'],
  ])('rejects delay %s / options %j naming %s', async (ms, opts, path) => {
    const { system } = await simSystem();
    let err: unknown;
    const Bad = defineActor('ctx.bad-schedule', {
      init: () => 0,
      receive(s: number, _m: unknown, ctx) {
        try {
          ctx.schedule(ms, 'x', opts as never);
        } catch (e) {
          err = e;
        }
        return s;
      },
    });
    system.spawnSync(Bad, undefined).tell(1);
    await quiesce(system);
    expect(isConfigError(err) && err.context.path).toBe(path);
  });
});

describe('deferred replies', () => {
  type QMsg = { type: 'take' } | { type: 'give'; value: number } | { type: 'refuse' } | { type: 'tell-take' };
  /** A queue whose `take` waits for a later `give` (or is refused): replies owed across turns, kept in state. */
  const Queue = defineActor('ctx.deferred-queue', {
    init: () => ({ waiting: [] as PendingReply[], told: [] as unknown[] }),
    receive(s, msg: QMsg, ctx) {
      if (msg.type === 'take') {
        const p = ctx.deferReply();
        if (p !== undefined) s.waiting.push(p);
      } else if (msg.type === 'tell-take') s.told.push(ctx.deferReply());
      else if (msg.type === 'give') ctx.completeReply(s.waiting.shift()!, msg.value);
      else ctx.failReply(s.waiting.shift()!, new Error('refused'));
      return s;
    },
  });

  it('an ask answered in a later turn, from the state; a failure rejects it; a tell has no reply to defer', async () => {
    const { system } = await simSystem();
    const q = await system.spawn(Queue, undefined);
    const first = q.ask<number>({ type: 'take' });
    const second = q.ask<number>({ type: 'take' });
    await quiesce(system);
    let settled = false;
    void first.then(() => {
      settled = true;
    });
    await quiesce(system);
    expect(settled).toBe(false); // the turn ended without an answer
    q.tell({ type: 'give', value: 7 });
    q.tell({ type: 'refuse' });
    expect(await first).toBe(7);
    await expect(second).rejects.toThrow('refused');
    q.tell({ type: 'tell-take' });
    await quiesce(system);
    const snap = system.dehydrate(q); // still portable: the owed replies are plain data
    expect(snap).toBeInstanceOf(Uint8Array);
  });

  it('a PendingReply that is not one is a ConfigError naming the call', async () => {
    const { system } = await simSystem();
    const errors: unknown[] = [];
    const Bad = defineActor('ctx.deferred-bad', {
      init: () => 0,
      receive(s: number, msg: { type: 'go' }, ctx) {
        for (const p of [null, { node: 0, askId: 0 }, { node: 3, askId: 1 }] as unknown as PendingReply[])
          try {
            ctx.completeReply(p, msg);
          } catch (e) {
            errors.push(e);
          }
        return s;
      },
    });
    (await system.spawn(Bad, undefined)).tell({ type: 'go' });
    await quiesce(system);
    expect(errors).toHaveLength(3);
    expect(errors.every(isConfigError)).toBe(true);
    expect(errors.map((e) => (e as { context: { path: string } }).context.path)).toEqual([
      'ctx.completeReply(pending)',
      'ctx.completeReply(pending)',
      'ctx.completeReply(pending).node',
    ]);
  });
});
