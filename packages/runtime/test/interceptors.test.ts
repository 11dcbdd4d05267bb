/**
 * The interception seam (kernel/hooks.ts `intercept`, kernel/envelope.ts): a
 * send interceptor attaches data to a message where it is sent, and the
 * process interceptor reads it where the message is handled — in one thread,
 * through a retry (the message is put back at the front), through a restart
 * (messages queued behind a failure keep theirs), through a dehydrate /
 * rehydrate snapshot, and across a link between two hosts (the W_ROUTE
 * frame's envelope token). Without an interceptor nothing is wrapped.
 */
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ThreadLink } from '../src/executors/link.ts';
import { featurePlugins } from '../src/executors/plugins.ts';
import { DEADLOCK_OFF } from '../src/features/deadlock/options.ts';
import type { ActorCell } from '../src/kernel/cell.ts';
import { cellOf } from '../src/kernel/cell-of.ts';
import { SimulatedClock } from '../src/kernel/clock.ts';
import { defineActor } from '../src/kernel/definition.ts';
import { Envelope } from '../src/kernel/envelope.ts';
import { Host, type HostPlugin } from '../src/kernel/host.ts';
import { ActorRef } from '../src/kernel/ref.ts';
import { dehydrate, rehydrate } from '../src/kernel/snapshot.ts';
import { resolveOptions } from '../src/system/options.ts';
import { tick } from './helpers.ts';

/** What the process interceptor saw: [message, data attached where it was sent]. */
type Seen = Array<[unknown, unknown]>;

/** Attaches `trace-N` (N counts sends) to every message, and records what arrives. */
function tracer(seen: Seen): HostPlugin {
  let n = 0;
  return {
    name: 'test.tracer',
    install(api) {
      api.intercept({
        send: () => `trace-${++n}`,
        process: (_cell, msg, data) => seen.push([msg, data]),
      });
    },
  };
}

function host(node: number, clock: SimulatedClock, extra: HostPlugin[]): Host {
  const o = resolveOptions({ clock });
  const h = new Host({
    node,
    clock,
    throughput: o.throughput,
    yieldMs: o.yieldMs,
    askTimeoutMs: o.askTimeoutMs,
    mailbox: o.mailbox,
  });
  h.start([...featurePlugins(DEADLOCK_OFF).list, ...extra]);
  return h;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

/** Handles every message; 'boom' fails the first time, 'crash' always. */
function echo(name: string, retry?: { attempts: number }) {
  let booms = 0;
  return defineActor(name, {
    init: () => [] as unknown[],
    receive: (s: unknown[], m: unknown) => {
      if (m === 'boom' && booms++ === 0) throw new Error('first boom');
      if (m === 'crash') throw new Error('crash');
      return [...s, m];
    },
    ...(retry !== undefined ? { retry } : {}),
  });
}

describe('interceptors', () => {
  it('attach data where a message is sent and read it where it is handled (one thread)', async () => {
    const seen: Seen = [];
    const h = host(0, new SimulatedClock(), [tracer(seen)]);
    const a = h.spawnLocal(echo('icpt.a'), undefined, undefined, null);
    a.tell('one');
    a.tell('two');
    await settle();
    expect(seen).toEqual([
      ['one', 'trace-1'],
      ['two', 'trace-2'],
    ]);
  });

  it('keep the data through a retry: the redelivered message carries what its send attached', async () => {
    const seen: Seen = [];
    const h = host(0, new SimulatedClock(), [tracer(seen)]);
    const a = h.spawnLocal(echo('icpt.retry', { attempts: 1 }), undefined, undefined, null);
    a.tell('boom');
    a.tell('next');
    await settle();
    expect(seen).toEqual([
      ['boom', 'trace-1'],
      ['boom', 'trace-1'],
      ['next', 'trace-2'],
    ]);
    expect(cellOf(a)?.state).toEqual(['boom', 'next']);
  });

  it('keep the data through a restart: messages queued behind the failure keep theirs', async () => {
    const seen: Seen = [];
    const h = host(0, new SimulatedClock(), [tracer(seen)]);
    const restarts: unknown[] = [];
    h.events.events$.subscribe((e) => {
      if (e.type === 'actor.restarted') restarts.push(e.reason);
    });
    const a = h.spawnLocal(echo('icpt.restart'), undefined, undefined, null);
    a.tell('crash');
    a.tell('after');
    await settle();
    expect(restarts).toEqual(['failed']);
    expect(seen).toEqual([
      ['crash', 'trace-1'],
      ['after', 'trace-2'],
    ]);
  });

  it('keep the data through a snapshot: a message queued when the actor leaves arrives with it', async () => {
    const clock = new SimulatedClock();
    const seenA: Seen = [];
    const seenB: Seen = [];
    const def = echo('icpt.snap');
    const a = host(1, clock, [tracer(seenA)]);
    const b = host(2, clock, [tracer(seenB)]);
    b.register(def);
    const ref = a.spawnLocal(def, undefined, undefined, null);
    ref.tell('queued'); // still in the mailbox: the drain runs on a later microtask
    const bytes = dehydrate(ref.cell as ActorCell, true);
    const moved = rehydrate(b, bytes);
    await settle();
    expect(seenA).toEqual([]);
    expect(seenB).toEqual([['queued', 'trace-1']]);
    expect(cellOf(moved)?.state).toEqual(['queued']);
  });

  it('keep the data across a link between hosts (the routed frame carries it)', async () => {
    const clock = new SimulatedClock();
    const seenA: Seen = [];
    const seenB: Seen = [];
    const a = host(1, clock, [tracer(seenA)]);
    const b = host(2, clock, [tracer(seenB)]);
    const la = new ThreadLink(a, null);
    const lb = new ThreadLink(b, null);
    a.connect(la, (id, name, d) => la.intern(id, name, d));
    b.connect(lb, (id, name, d) => lb.intern(id, name, d));
    const { port1, port2 } = new MessageChannel();
    la.connect(2, port1);
    lb.connect(1, port2);
    try {
      const def = echo('icpt.link');
      b.register(def);
      const target = b.spawnLocal(def, undefined, undefined, null);
      const there = a.refFor(target.id, undefined, def.name);
      expect(there.cell).toBeNull();
      there.tell('across');
      la.flushAll();
      const cell = target.cell as ActorCell;
      await expect.poll(() => cell.state, { timeout: 10_000, interval: 5 }).toEqual(['across']);
      expect(seenA).toEqual([]);
      expect(seenB).toEqual([['across', 'trace-1']]);
    } finally {
      la.close();
      lb.close();
    }
  });

  it('cost nothing without an interceptor: no envelope, the meta stays the sender', async () => {
    const h = host(0, new SimulatedClock(), []);
    expect(h.hooks.send).toBeNull();
    expect(h.hooks.process).toBeNull();
    expect(h.hooks.around).toBeNull();
    const a = h.spawnLocal(echo('icpt.none'), undefined, undefined, null);
    const sender = new ActorRef(999 * 1024, undefined, 'x', h, null);
    (a.cell as ActorCell).deliver('plain', sender);
    const [[msg, meta]] = (a.cell as ActorCell).mailbox.toArray() as [[unknown, unknown]];
    expect(msg).toBe('plain');
    expect(meta).toBe(sender);
    expect(meta instanceof Envelope).toBe(false);
  });

  it('around: the handler runs inside each interceptor that asks for it, nested in install order, with its own data', async () => {
    const log: string[] = [];
    const wrapping = (tag: string): HostPlugin => ({
      name: `test.${tag}`,
      install(api) {
        api.intercept({
          send: (_to, msg) => `${tag}:${String(msg)}`,
          process: () => log.push(`${tag} process`),
          around: (_cell, msg, data, receive) => {
            log.push(`${tag} enter ${String(data)}`);
            try {
              return receive();
            } catch (e) {
              log.push(`${tag} saw ${(e as Error).message}`);
              throw e;
            } finally {
              log.push(`${tag} leave ${String(msg)}`);
            }
          },
        });
      },
    });
    const plain: HostPlugin = {
      name: 'test.plain',
      install: (api) =>
        api.intercept({ send: () => 'p', process: (_c, _m, d) => log.push(`plain ${String(d)}`) }),
    };
    const h = host(0, new SimulatedClock(), [wrapping('outer'), plain, wrapping('inner')]);
    const a = h.spawnLocal(echo('icpt.around'), undefined, undefined, null);
    a.tell('one');
    a.tell('crash');
    await settle();
    expect(log).toEqual([
      'outer process',
      'plain p',
      'inner process',
      'outer enter outer:one',
      'inner enter inner:one',
      'inner leave one',
      'outer leave one',
      'outer process',
      'plain p',
      'inner process',
      'outer enter outer:crash',
      'inner enter inner:crash',
      'inner saw crash',
      'inner leave crash',
      'outer saw crash',
      'outer leave crash',
    ]);
    expect(cellOf(a)?.state).toEqual([]); // restarted after the crash: the throw reached the kernel
  });
});
