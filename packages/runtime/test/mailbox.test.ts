import {
  type ActorRef,
  type DeadLetter,
  defineActor,
  isConfigError,
  isMailboxFullError,
} from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { resolveMailbox, UNBOUNDED } from '../src/kernel/mailbox.ts';
import { deferred, quiesce, rejection, simSystem } from './helpers.ts';

type Msg = { type: 'n'; n: number } | { type: 'get' };

/** Records every number it handles; the first handler can be held open by a gate. */
const Recorder = defineActor('mailbox.recorder', {
  init: (p: { gate?: Promise<void> }) => ({ seen: [] as number[], gate: p.gate }),
  async receive(s, m: Msg, ctx) {
    if (m.type === 'get') {
      ctx.reply([...s.seen]);
      return s;
    }
    if (s.gate) {
      const g = s.gate;
      s.gate = undefined;
      await g;
    }
    s.seen.push(m.n);
    return s;
  },
  pinned: true,
});

const SyncRecorder = defineActor('mailbox.sync-recorder', {
  init: () => ({ seen: [] as number[] }),
  receive(s, m: Msg, ctx) {
    if (m.type === 'get') ctx.reply([...s.seen]);
    else s.seen.push(m.n);
    return s;
  },
});

describe('mailbox options', () => {
  it('defaults to unbounded with reject', () => {
    expect(resolveMailbox(undefined, 'x')).toBe(UNBOUNDED);
    expect(resolveMailbox({ capacity: 3 }, 'x')).toEqual({ capacity: 3, overflow: 'reject' });
    expect(resolveMailbox({ overflow: 'drop-oldest' }, 'x')).toEqual({
      capacity: Number.POSITIVE_INFINITY,
      overflow: 'drop-oldest',
    });
  });

  it.each([
    [null, 'm'],
    [5, 'm'],
    [{ capacity: 0 }, 'm.capacity'],
    [{ capacity: 1.5 }, 'm.capacity'],
    [{ capacity: -1 }, 'm.capacity'],
    [{ capacity: '3' }, 'm.capacity'],
    [{ overflow: 'drop' }, 'm.overflow'],
  ])('rejects %j naming %s', (opts, path) => {
    expect(() => resolveMailbox(opts as never, 'm')).toThrow(
      expect.objectContaining({ code: 'config', context: expect.objectContaining({ path }) }),
    );
  });
});

describe('bounded mailboxes', () => {
  async function fill(overflow: 'reject' | 'drop-oldest' | 'drop-newest') {
    const { system } = await simSystem();
    const dead: DeadLetter[] = [];
    system.deadLetters$.subscribe((d) => dead.push(d));
    const gate = deferred();
    const ref = system.spawnSync(Recorder, { gate: gate.promise }, { mailbox: { capacity: 2, overflow } });
    ref.tell({ type: 'n', n: 0 }); // taken by the handler, which waits on the gate
    await quiesce(system);
    for (let n = 1; n <= 4; n++) ref.tell({ type: 'n', n }); // 1,2 fit; 3,4 overflow
    return { system, ref, dead, gate };
  }

  it('reject: the new tell is dead-lettered mailbox-full', async () => {
    const { system, ref, dead, gate } = await fill('reject');
    expect(dead.map((d) => [d.reason, (d.message as { n: number }).n])).toEqual([
      ['mailbox-full', 3],
      ['mailbox-full', 4],
    ]);
    expect(dead[0]!.recipient).toEqual(ref.toJSON());
    gate.resolve();
    await quiesce(system);
    await expect(ref.ask({ type: 'get' })).resolves.toEqual([0, 1, 2]);
    const s = system.stats();
    expect(s.deadLettered.byReason).toEqual({ 'mailbox-full': 2 });
    expect(s.sent).toBe(s.processed + s.deadLettered.total);
  });

  it('reject: an ask to a full mailbox rejects with MailboxFullError', async () => {
    const { ref, gate } = await fill('reject');
    const err = await rejection(ref.ask({ type: 'get' }));
    expect(isMailboxFullError(err)).toBe(true);
    expect(err.context).toMatchObject({ target: ref.toJSON(), capacity: 2 });
    gate.resolve();
  });

  it('drop-oldest: the oldest queued message makes room', async () => {
    const { system, ref, dead, gate } = await fill('drop-oldest');
    expect(dead.map((d) => [d.reason, (d.message as { n: number }).n])).toEqual([
      ['dropped', 1],
      ['dropped', 2],
    ]);
    gate.resolve();
    await quiesce(system);
    await expect(ref.ask({ type: 'get' })).resolves.toEqual([0, 3, 4]);
    const s = system.stats();
    expect(s.sent).toBe(s.processed + s.deadLettered.total);
  });

  it('drop-newest: the incoming message is dropped', async () => {
    const { system, ref, dead, gate } = await fill('drop-newest');
    expect(dead.map((d) => [d.reason, (d.message as { n: number }).n])).toEqual([
      ['dropped', 3],
      ['dropped', 4],
    ]);
    const err = await rejection(ref.ask({ type: 'get' }));
    expect(isMailboxFullError(err)).toBe(true);
    gate.resolve();
    await quiesce(system);
    await expect(ref.ask({ type: 'get' })).resolves.toEqual([0, 1, 2]);
  });

  it('a definition mailbox applies unless spawn overrides it', async () => {
    const { system } = await simSystem();
    const Small = defineActor('mailbox.small', {
      init: () => 0,
      receive: (s: number) => s,
      mailbox: { capacity: 1 },
    });
    const a = system.spawnSync(Small, undefined);
    const b = system.spawnSync(Small, undefined, { mailbox: { capacity: 10 } });
    for (let i = 0; i < 3; i++) {
      a.tell(i);
      b.tell(i);
    }
    await quiesce(system);
    expect(system.stats().deadLettered.byReason).toEqual({ 'mailbox-full': 2 });
  });

  it('a system-wide default mailbox applies to every actor', async () => {
    const { system } = await simSystem({ mailbox: { capacity: 1, overflow: 'drop-newest' } });
    const a = system.spawnSync(SyncRecorder, undefined);
    for (let n = 0; n < 3; n++) a.tell({ type: 'n', n });
    await quiesce(system);
    expect(system.stats().deadLettered.byReason).toEqual({ dropped: 2 });
  });
});

describe('system messages overtake user messages', () => {
  it('stop runs before queued user messages, which are dead-lettered stopped', async () => {
    const { system } = await simSystem();
    const dead: DeadLetter[] = [];
    system.deadLetters$.subscribe((d) => dead.push(d));
    const ref = system.spawnSync(SyncRecorder, undefined);
    for (let n = 0; n < 5; n++) ref.tell({ type: 'n', n });
    const stopped = system.stop(ref); // queued after the tells, handled before them
    await stopped;
    expect(dead.map((d) => [d.reason, (d.message as { n: number }).n])).toEqual([
      ['stopped', 0],
      ['stopped', 1],
      ['stopped', 2],
      ['stopped', 3],
      ['stopped', 4],
    ]);
    expect(system.stats()).toMatchObject({ sent: 5, processed: 0, inFlight: 0, actors: 0 });
  });

  it('a Terminated notification overtakes queued user messages', async () => {
    const { system } = await simSystem();
    const order: string[] = [];
    const gate = deferred();
    const Watcher = defineActor('mailbox.watcher', {
      init: () => 0,
      async receive(s: number, m: { watch: ActorRef } | number, ctx) {
        if (typeof m === 'number') {
          if (m === 0) await gate.promise; // holds the mailbox while the others queue up
          order.push(`msg ${m}`);
        } else ctx.watch(m.watch);
        return s;
      },
      onTerminated(s: number) {
        order.push('terminated');
        return s;
      },
      pinned: true,
    });
    const target = system.spawnSync(SyncRecorder, undefined);
    const w = system.spawnSync(Watcher, undefined);
    w.tell({ watch: target });
    await quiesce(system);
    for (let n = 0; n < 3; n++) w.tell(n);
    await quiesce(system); // msg 0 is in its handler; 1 and 2 are queued
    await system.stop(target);
    gate.resolve();
    await quiesce(system);
    expect(order).toEqual(['msg 0', 'terminated', 'msg 1', 'msg 2']);
  });

  it('a stop requested by a handler overtakes the rest of the mailbox', async () => {
    const { system } = await simSystem();
    const seen: number[] = [];
    const Stopper = defineActor('mailbox.stopper', {
      init: () => 0,
      receive(s: number, m: number, ctx) {
        seen.push(m);
        if (m === 1) ctx.stop();
        return s;
      },
    });
    const ref = system.spawnSync(Stopper, undefined);
    for (let n = 0; n < 5; n++) ref.tell(n);
    await quiesce(system);
    expect(seen).toEqual([0, 1]);
    expect(system.stats().deadLettered.byReason).toEqual({ stopped: 3 });
    ref.tell(9); // after the stop: dead letter, never a throw
    expect(system.stats().deadLettered.byReason).toEqual({ stopped: 4 });
  });
});

describe('fairness and handlers', () => {
  it('one busy actor does not starve another: turns interleave by throughput', async () => {
    const { system } = await simSystem({ throughput: 4 });
    const log: string[] = [];
    const Logger = defineActor('mailbox.logger', {
      init: (p: string) => p,
      receive(s: string, m: number) {
        log.push(`${s}${m}`);
        return s;
      },
    });
    const a = system.spawnSync(Logger, 'a');
    const b = system.spawnSync(Logger, 'b');
    for (let i = 0; i < 12; i++) a.tell(i);
    b.tell(0);
    b.tell(1);
    await quiesce(system);
    // b runs after a's first turn of 4, not after all 12.
    expect(log.indexOf('b0')).toBe(4);
    expect(log.slice(0, 7)).toEqual(['a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'a4']);
    expect(log).toHaveLength(14);
  });

  it('a definition throughput overrides the system default', async () => {
    const { system } = await simSystem({ throughput: 100 });
    const log: string[] = [];
    const One = defineActor('mailbox.one', {
      init: (p: string) => p,
      receive(s: string, m: number) {
        log.push(`${s}${m}`);
        return s;
      },
      throughput: 1,
    });
    const a = system.spawnSync(One, 'a');
    const b = system.spawnSync(One, 'b');
    for (let i = 0; i < 3; i++) a.tell(i);
    for (let i = 0; i < 3; i++) b.tell(i);
    await quiesce(system);
    expect(log).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  it('sync handlers return the next state', async () => {
    const { system } = await simSystem();
    const ref = system.spawnSync(SyncRecorder, undefined);
    for (let n = 0; n < 100; n++) ref.tell({ type: 'n', n });
    await expect(ref.ask({ type: 'get' })).resolves.toEqual([...Array(100).keys()]);
  });

  it('the mailbox waits while an async handler is pending', async () => {
    const { system } = await simSystem();
    const gate = deferred();
    const ref: ActorRef<Msg> = system.spawnSync(Recorder, { gate: gate.promise });
    ref.tell({ type: 'n', n: 1 });
    ref.tell({ type: 'n', n: 2 });
    const got = ref.ask<number[]>({ type: 'get' });
    await quiesce(system);
    expect(system.stats()).toMatchObject({ processed: 0, inFlight: 3 });
    gate.resolve();
    await expect(got).resolves.toEqual([1, 2]);
    expect(system.stats()).toMatchObject({ processed: 3, inFlight: 0 });
  });

  it('an async handler that rejects dead-letters its message as failed', async () => {
    const { system } = await simSystem();
    const Boom = defineActor('mailbox.boom', {
      init: () => 0,
      async receive(s: number, m: string) {
        await Promise.resolve();
        if (m === 'boom') throw new Error('boom');
        return s + 1;
      },
    });
    const ref = system.spawnSync(Boom, undefined);
    ref.tell('boom');
    ref.tell('ok');
    await quiesce(system);
    const s = system.stats();
    expect(s.deadLettered.byReason).toEqual({ failed: 1 });
    expect(s.processed).toBe(1);
  });
});

describe('option validation on spawn', () => {
  it('names the bad mailbox field', async () => {
    const { system } = await simSystem();
    expect(() => system.spawnSync(SyncRecorder, undefined, { mailbox: { capacity: 0 } })).toThrow(
      expect.objectContaining({
        context: expect.objectContaining({ path: 'system.spawn(options).mailbox.capacity' }),
      }),
    );
    try {
      system.spawnSync(SyncRecorder, undefined, { mailbox: { overflow: 'nope' as never } });
      expect.unreachable();
    } catch (e) {
      expect(isConfigError(e) && e.context.path).toBe('system.spawn(options).mailbox.overflow');
    }
  });
});
