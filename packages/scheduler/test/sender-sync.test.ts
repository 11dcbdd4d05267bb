import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { F_SYNC, F_SYNCED } from '../src/codes.ts';
import { type Holdable, SenderSync, type SyncLink } from '../src/sender-sync.ts';

/** The trivial unit: counts how often it was held and released. */
class Unit implements Holdable {
  holds = 0;
  releases = 0;
  constructor(readonly name: string) {}
  holdForSync(): void {
    this.holds++;
  }
  releaseSync(): void {
    this.releases++;
  }
  get held(): boolean {
    return this.holds > this.releases;
  }
}

/** One node's ports as the sync sees them: batches posted per peer, who is connected, what was sent. */
class FakeLink implements SyncLink {
  readonly posts = new Map<number, number>();
  readonly peers = new Set<number>();
  readonly sent: Array<[number, unknown[]]> = [];
  constructor(readonly node: number) {}
  posted(node: number): number | undefined {
    return this.peers.has(node) ? (this.posts.get(node) ?? 0) : undefined;
  }
  connected(node: number): boolean {
    return this.peers.has(node);
  }
  sendUrgent(node: number, frame: unknown[]): void {
    this.sent.push([node, frame]);
  }
  take(): Array<[number, unknown[]]> {
    return this.sent.splice(0);
  }
}

const H = 1;
const T = 2;
const X = 3;
const Y = 4;

function node(n: number, peers: number[]): { link: FakeLink; sync: SenderSync<Unit> } {
  const link = new FakeLink(n);
  for (const p of peers) link.peers.add(p);
  return { link, sync: new SenderSync<Unit>(link) };
}

describe('SenderSync over a trivial unit', () => {
  it('step 1: the departure counts batches posted to every executor but the target and the main thread', () => {
    const { link, sync } = node(H, [0, T, X, Y]);
    link.posts.set(0, 9).set(T, 4).set(X, 2);
    // Y: connected, nothing posted there — nothing to wait for.
    expect(sync.departure(T, link.peers)).toEqual([X, 2]);
    expect(sync.departure(X, link.peers)).toEqual([T, 4]);
  });

  it('step 2: an arrival with nothing to wait for is never held, and what waits on it runs at once', () => {
    const { link, sync } = node(T, [H, X]);
    const u = new Unit('u');
    sync.arrive(u, H, []);
    // Its own node and a node it is not connected to are not asked either.
    sync.arrive(u, H, [T, 5, 7, 3]);
    expect(u.holds).toBe(0);
    expect(link.take()).toEqual([]);
    let ran = 0;
    sync.whenReleased(u, () => ran++);
    expect(ran).toBe(1);
  });

  it('steps 2 and 4: held until every executor asked has answered; then released once, and what waited runs in order', () => {
    const { link, sync } = node(T, [H, X, Y]);
    const u = new Unit('u');
    sync.arrive(u, H, [X, 2, Y, 5]);
    expect(u.holds).toBe(1);
    const asks = link.take();
    expect(asks.map(([to, f]) => [to, f[0], f[1], f[2]])).toEqual([
      [X, F_SYNC, H, 2],
      [Y, F_SYNC, H, 5],
    ]);
    const order: string[] = [];
    sync.whenReleased(u, () => order.push('a'));
    sync.whenReleased(u, () => order.push('b'));
    sync.onSynced(asks[0]![1][3] as number);
    expect(u.held).toBe(true);
    expect(order).toEqual([]);
    sync.onSynced(asks[1]![1][3] as number);
    expect(u.releases).toBe(1);
    expect(order).toEqual(['a', 'b']);
    // An answer that comes twice changes nothing.
    sync.onSynced(asks[1]![1][3] as number);
    expect(u.releases).toBe(1);
  });

  it('one request serves every unit that arrives from H meanwhile; a larger count asks again; answers are remembered', () => {
    const { link, sync } = node(T, [H, X]);
    const units = Array.from({ length: 16 }, (_, i) => new Unit(`u${i}`));
    for (const u of units) sync.arrive(u, H, [X, 3]);
    const asks = link.take();
    expect(asks).toHaveLength(1); // a steal of sixteen asks once
    const late = new Unit('late');
    sync.arrive(late, H, [X, 4]);
    const again = link.take();
    expect(again.map(([to, f]) => [to, f[2]])).toEqual([[X, 4]]);
    sync.onSynced(asks[0]![1][3] as number);
    expect(units.every((u) => u.releases === 1)).toBe(true);
    expect(late.held).toBe(true);
    sync.onSynced(again[0]![1][3] as number);
    expect(late.releases).toBe(1);
    // X confirmed 4 of H's batches: an arrival that needs no more than that is not held.
    const next = new Unit('next');
    sync.arrive(next, H, [X, 4]);
    expect(next.holds).toBe(0);
    expect(link.take()).toEqual([]);
  });

  it('step 3: X answers at once when it has read enough of H, else after the batch that completes them', () => {
    const { link, sync } = node(X, [H, T]);
    sync.afterRead(H);
    sync.onSync(T, H, 1, 70);
    expect(link.take()).toEqual([[T, [F_SYNCED, 70]]]);
    sync.onSync(T, H, 3, 71);
    sync.onSync(T, H, 2, 72);
    sync.afterRead(T); // batches from another node count for nothing here
    expect(link.take()).toEqual([]);
    sync.afterRead(H);
    expect(link.take()).toEqual([[T, [F_SYNCED, 72]]]);
    sync.afterRead(H);
    expect(link.take()).toEqual([[T, [F_SYNCED, 71]]]);
  });

  it('a lost executor answers for itself (X side: requests about it; T side: requests to it) and is owed nothing', () => {
    const x = node(X, [H, T, Y]);
    x.sync.onSync(T, H, 5, 80); // about H, which is then lost: answered
    x.sync.onSync(Y, T, 5, 81); // from Y, which is then lost: dropped
    x.link.peers.delete(H);
    x.sync.lost(H);
    x.link.peers.delete(Y);
    x.sync.lost(Y);
    expect(x.link.take()).toEqual([[T, [F_SYNCED, 80]]]);
    x.sync.afterRead(T);
    expect(x.link.take()).toEqual([]);

    const t = node(T, [H, X]);
    const u = new Unit('u');
    t.sync.arrive(u, H, [X, 1]);
    t.link.take();
    t.sync.lost(X);
    expect(u.releases).toBe(1);
  });

  it('property: over any interleaving of H posting, X reading and units arriving at T, a unit is released exactly when X has read what H posted before it left', () => {
    // Commands: 'post' (H posts a batch to X), 'read' (X reads H's next posted batch),
    // 'leave' (a unit leaves H for T, carrying H's count for X), 'deliver' (the oldest frame in flight arrives).
    const cmd = fc.constantFrom('post', 'read', 'leave', 'deliver');
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 60 }), (cmds) => {
        const h = node(H, [T, X]);
        const t = node(T, [H, X]);
        const x = node(X, [H, T]);
        let posted = 0;
        let read = 0;
        const frames: Array<[number, number, unknown[]]> = []; // [from, to, frame], one FIFO (ports are ordered per pair; one pair each way here)
        const leaving: Array<{ u: Unit; needs: number }> = [];
        const run = (c: string) => {
          if (c === 'post') h.link.posts.set(X, ++posted);
          else if (c === 'read' && read < posted) {
            read++;
            x.sync.afterRead(H);
          } else if (c === 'leave') {
            const u = new Unit(`u${leaving.length}`);
            const counts = h.sync.departure(T, h.link.peers);
            leaving.push({ u, needs: posted });
            t.sync.arrive(u, H, counts);
          } else if (c === 'deliver') {
            const f = frames.shift();
            if (f === undefined) return;
            const [from, to, frame] = f;
            if (to === X && frame[0] === F_SYNC)
              x.sync.onSync(from, frame[1] as number, frame[2] as number, frame[3] as number);
            else if (to === T && frame[0] === F_SYNCED) t.sync.onSynced(frame[1] as number);
          }
          for (const l of [t.link, x.link])
            for (const [to, frame] of l.take()) frames.push([l.node, to, frame]);
        };
        for (const c of cmds) {
          run(c);
          // Safety: a released unit's batches from H were all read at X.
          for (const { u, needs } of leaving) if (!u.held) expect(read).toBeGreaterThanOrEqual(needs);
        }
        // Liveness: once X reads everything and every frame is delivered, nothing stays held.
        while (read < posted) run('read');
        while (frames.length > 0) run('deliver');
        for (const { u } of leaving) {
          expect(u.held).toBe(false);
          expect(u.holds).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });
});
