import { describe, expect, it } from 'vitest';
import { PendingAsk } from '../src/kernel/ask.ts';
import { SimulatedClock } from '../src/kernel/clock.ts';
import { Host } from '../src/kernel/host.ts';
import { ActorRef } from '../src/kernel/ref.ts';
import { RemoteAsk } from '../src/kernel/remote-ask.ts';
import { resolveOptions } from '../src/system/options.ts';
import { simSystem } from './helpers.ts';

describe('RemoteAsk', () => {
  it('settles an exported ask on its own host directly, once', async () => {
    const { system, clock } = await simSystem();
    const host = system.host;
    const got: unknown[] = [];
    const local = new PendingAsk(
      (v) => got.push(['ok', v]),
      (e) => got.push(['err', e]),
      undefined,
      clock,
    );
    const id = host.exportAsk(local);
    const remote = new RemoteAsk(host.node, id, undefined, host);
    expect(remote.settled).toBe(false);
    remote.resolve(42);
    remote.reject(new Error('late'));
    expect(remote.settled).toBe(true);
    expect(got).toEqual([['ok', 42]]);
    host.settleExported(id, true, 7); // already collected: ignored
    expect(got).toHaveLength(1);
  });

  it('sends the answer through the Transport when the asker lives on another node', async () => {
    const { system } = await simSystem();
    const host = system.host;
    const frames: unknown[] = [];
    host.connect(
      {
        sendUser: () => false,
        sendSystem: () => {},
        settle: (node, askId, ok, value) => frames.push([node, askId, ok, value]),
      },
      (id, name, def) => new ActorRef(id, name, def, host, null),
    );
    const a = new RemoteAsk(7, 3, undefined, host);
    a.reject('nope');
    a.resolve('ignored');
    expect(frames).toEqual([[7, 3, false, 'nope']]);
  });

  it('collectExported drops asks that settled locally (timeouts)', async () => {
    const { system, clock } = await simSystem();
    const host = system.host;
    const p = new PendingAsk(
      () => {},
      () => {},
      undefined,
      clock,
    );
    const id = host.exportAsk(p);
    p.reject(new Error('timeout'));
    host.collectExported();
    const late = new RemoteAsk(host.node, id, undefined, host);
    late.resolve(1); // nothing left to settle; no throw
    expect(p.settled).toBe(true);
  });

  it('a settled exported ask leaves nothing in the ledger, and the link hears of it', async () => {
    const clock = new SimulatedClock();
    const o = resolveOptions({ clock });
    const host = new Host({
      node: 0,
      clock,
      throughput: o.throughput,
      yieldMs: o.yieldMs,
      askTimeoutMs: o.askTimeoutMs,
      mailbox: o.mailbox,
    });
    const forgotten: number[] = [];
    // The link hears of it through the kernel hook it installs (executors/link.ts `plugin`).
    host.start([{ name: 'test.link', install: (api) => api.onAskSettled((id) => forgotten.push(id)) }]);
    const asks = Array.from(
      { length: 3 },
      () =>
        new PendingAsk(
          () => {},
          () => {},
          undefined,
          clock,
        ),
    );
    const ids = asks.map((a) => host.exportAsk(a));
    expect(host.exportAsk(asks[0]!)).toBe(ids[0]); // one id per handle
    expect(host.exportedCount).toBe(3);
    asks[0]!.reject(new Error('timeout')); // settled here (a timeout)
    host.settleExported(ids[1]!, true, 1); // a reply by frame
    new RemoteAsk(host.node, ids[2]!, undefined, host).resolve(2); // the actor came back to this host
    expect(host.exportedCount).toBe(0);
    expect(forgotten).toEqual(ids);
    // A handle settled before it is routed on is not filed again.
    host.exportAsk(asks[0]!);
    expect(host.exportedCount).toBe(0);
  });
});
