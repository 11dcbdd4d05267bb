import { afterEach, describe, expect, it, vi } from 'vitest';
import { Activity } from '../src/activity.ts';
import { Board, INBOX_WAIT_MS, SLOT } from '../src/board.ts';
import { F_STEAL, F_STEAL_REPLY } from '../src/codes.ts';
import { ExecutorLoop, type LoopHost, type LoopLink } from '../src/executor-loop.ts';
import { RunQueue } from '../src/run-queue.ts';
import { MAX_STEAL, type StealRequest, stealCount } from '../src/stealing.ts';
import type { Unit, UnitKind } from '../src/unit.ts';
import { WatchdogBoard } from '../src/watchdog.ts';

/** The trivial unit: `pending` items of work, one per turn. */
class Counter implements Unit {
  queued = false;
  done = 0;
  constructor(
    readonly id: number,
    public pending: number,
    readonly kind: UnitKind,
    private readonly queue: RunQueue<Counter>,
    private readonly onItem: () => void = () => {},
  ) {}
  run(): void {
    if (this.pending === 0) return;
    this.pending--;
    this.done++;
    this.onItem();
    if (this.pending > 0) this.queue.schedule(this);
  }
}

const ME = 1;
const PEER = 2;
const STEAL = { enabled: true, maxStealRetries: 3, stealCooldownMs: 2, stealThreshold: 2 };

/** The ports, as the loop sees them: counts what it asks for; `pump` reads one batch the board says waits. */
class FakeLink implements LoopLink {
  batchesIn = 0;
  receiveMs = 0;
  out = 0;
  flushes = 0;
  pumped = 0;
  constructor(
    private readonly board: Board,
    private readonly sent: Array<[number, unknown[], boolean]>,
  ) {}
  batchesOut(): number {
    return this.out;
  }
  flushAll(): void {
    this.flushes++;
  }
  pump(): boolean {
    if (this.board.posts(ME) <= this.batchesIn) return false;
    this.batchesIn++;
    this.pumped++;
    return true;
  }
  send(node: number, frame: unknown[]): void {
    this.sent.push([node, frame, false]);
  }
  sendUrgent(node: number, frame: unknown[]): void {
    this.sent.push([node, frame, true]);
  }
}

/** One executor's loop in this thread, over fakes that record what it does. */
function setup(options: { watchTurns?: boolean; idleSpinMs?: number; compaction?: boolean } = {}) {
  const clock = { t: 1000 };
  const board = new Board(3);
  const wd = new WatchdogBoard(3);
  const queue = new RunQueue<Counter>(5);
  const sent: Array<[number, unknown[], boolean]> = [];
  const link = new FakeLink(board, sent);
  const units = new Map<number, Counter>();
  const events: string[] = [];
  let completed = 0;
  const refuse = new Set<number>();
  const intake = { open: true };
  const host: LoopHost<Counter> = {
    units: () => units.values(),
    arriving: () => 0,
    accepting: () => intake.open,
    movable: (u) => u.pending > 0,
    moveTo: (u, to, why) => {
      if (refuse.has(u.id)) throw new Error(`unit ${u.id} cannot move`);
      units.delete(u.id);
      queue.unqueue(u);
      events.push(`move ${u.id} → ${to} (${why})`);
    },
    completed: () => completed,
    label: (u) => `item ${u.done + 1}`,
    publish: () => events.push('publish'),
    refused: (u, to, e) => events.push(`refused ${u.id} → ${to}: ${(e as Error).message}`),
    stole: (req: StealRequest, n) => events.push(`stole ${n} from ${req.victim}`),
    gathered: (to, n, rule) => events.push(`gathered ${n} onto ${to} (${rule})`),
  };
  const loop = new ExecutorLoop(queue, link, host, {
    node: ME,
    group: 0,
    board,
    activity: new Activity(board, ME),
    watchdog: wd,
    watchTurns: options.watchTurns ?? true,
    steal: STEAL,
    compaction: options.compaction ?? false,
    idleSpinMs: options.idleSpinMs ?? 0,
    tickMs: 1,
    now: () => clock.t,
  });
  const kind: UnitKind = { name: 'counter' };
  const spawn = (id: number, pending: number, k: UnitKind = kind) => {
    const u = new Counter(id, pending, k, queue, () => completed++);
    units.set(id, u);
    queue.schedule(u);
    return u;
  };
  /** A timed turn of `kind`: `items` items in `ms` (what the drain reports while turns are slow). */
  const teach = (u: Counter, items: number, ms: number) => {
    completed += items;
    queue.timed!(u, ms);
  };
  /** The peer as a saturated victim on the board (stealing step 2). */
  const busyPeer = (depth: number) => {
    board.set(PEER, SLOT.alive, 1);
    board.set(PEER, SLOT.group, 0);
    board.set(PEER, SLOT.queueDepth, depth);
    board.set(PEER, SLOT.idleAt, clock.t - 100);
  };
  return { clock, board, wd, queue, link, sent, units, events, refuse, intake, loop, spawn, teach, busyPeer };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ExecutorLoop around the drain', () => {
  it('publishes the queue depth and the running record per turn; a dry drain records idleAt and clears it', async () => {
    const x = setup();
    x.loop.open();
    const seen: string[] = [];
    const a = x.spawn(7, 2);
    x.spawn(8, 1);
    const run = a.run.bind(a);
    a.run = () => {
      const r = x.wd.running(ME);
      seen.push(`${r.actor} ${r.def} ${r.messageType} depth ${x.board.get(ME, SLOT.queueDepth)}`);
      run();
    };
    x.clock.t = 2000;
    await Promise.resolve();
    expect(seen).toEqual(['7 counter item 1 depth 1', '7 counter item 2 depth 0']);
    expect(x.wd.running(ME).actor).toBe(0); // between turns again
    expect(x.board.get(ME, SLOT.idleAt)).toBe(2000);
    expect(x.board.get(ME, SLOT.queueDepth)).toBe(0);
  });

  it('without the watchdog, turns leave no running record but the depth is still published', async () => {
    const x = setup({ watchTurns: false });
    x.spawn(7, 3);
    x.spawn(8, 3);
    const depths: number[] = [];
    const probe = x.queue.probe!;
    x.queue.probe = (u) => {
      probe(u);
      depths.push(x.board.get(ME, SLOT.queueDepth));
      expect(x.wd.running(ME).actor).toBe(0);
    };
    await Promise.resolve();
    expect(depths).toEqual([1, 1, 1, 1, 1, 0, 0]);
  });

  it('learns the cost per item of a kind from timed turns (the completed count’s step)', () => {
    const x = setup();
    const a = x.spawn(1, 50);
    // 10 items in 1 ms: 0.1 ms each, so 50 pending items are worth a steal; 1 item is not.
    x.teach(a, 10, 1);
    const b = x.spawn(2, 1);
    x.loop.open();
    expect(x.loop.give(PEER)).toBe(0); // two ready, one worth moving: stealCount(1, 2) = 0
    const c = x.spawn(3, 50);
    expect(x.loop.give(PEER)).toBe(1); // a and c worth it: half of two
    expect(x.events.filter((e) => e.startsWith('move'))).toEqual(['move 3 → 2 (steal)']);
    expect(b.queued && a.queued && !c.queued).toBe(true);
  });

  it('a ring of the doorbell makes the drain yield; heard re-arms it', async () => {
    const x = setup();
    x.spawn(1, 3);
    x.spawn(2, 3);
    expect(x.queue.urgent!()).toBe(false);
    x.board.ring(ME);
    expect(x.queue.urgent!()).toBe(true);
    await Promise.resolve();
    expect(x.queue.turns).toBe(1); // yielded after the first turn
    expect(x.queue.urgent!()).toBe(false);
    await new Promise<void>((r) => setImmediate(r));
    expect(x.queue.turns).toBe(6);
  });

  it('a long drain reads a waiting batch in place, posts its batches and publishes busy time', () => {
    const x = setup();
    const mid = x.queue.midDrain!; // (time since the drain began, now), at each check between turns
    x.board.post(ME); // a batch waits in the port
    mid(0.05, 10);
    expect(x.link.pumped).toBe(0); // too early into the drain: INBOX_WAIT_MS
    expect(x.link.flushes).toBe(0); // BATCH_WAIT_MS
    expect(x.board.get(ME, SLOT.busyMs)).toBe(0.05);
    mid(INBOX_WAIT_MS, 10.05);
    expect(x.link.pumped).toBe(1);
    expect(x.link.flushes).toBe(1);
    expect(x.board.get(ME, SLOT.busyMs)).toBe(0.05); // published 0.05 ms ago: BUSY_PUBLISH_MS
    mid(0.11, 10.06);
    expect(x.link.pumped).toBe(1); // nothing more waits
    expect(x.link.flushes).toBe(1); // posted 0.01 ms ago
    mid(0.7, 10.6);
    expect(x.link.flushes).toBe(2);
    expect(x.board.get(ME, SLOT.busyMs)).toBe(0.7);
  });

  it('spins after a drain that posted and reads the answer in place instead of parking', async () => {
    // performance.now() moves 1 µs per read: the spin is bounded, the drain never reaches INBOX_WAIT_MS.
    let t = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (t += 0.001));
    const x = setup({ idleSpinMs: 0.05 });
    x.spawn(1, 1);
    const run = x.units.get(1)!.run.bind(x.units.get(1));
    x.units.get(1)!.run = () => {
      run();
      x.link.out++; // the turn posted a batch…
      x.board.post(ME); // …and the answer is already here
    };
    await Promise.resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(x.link.pumped).toBe(1);
    // A drain that posted nothing does not spin.
    x.spawn(2, 1);
    x.board.post(ME);
    await new Promise<void>((r) => setImmediate(r));
    expect(x.link.pumped).toBe(1);
  });

  it('publishes its counters, then the runtime’s, after each batch and again once its drain ran', async () => {
    const x = setup();
    x.spawn(1, 1);
    x.loop.afterBatch();
    expect(x.events).toEqual(['publish']);
    expect(x.board.get(ME, SLOT.queueDepth)).toBe(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(x.events).toEqual(['publish', 'publish']);
    expect(x.board.get(ME, SLOT.queueDepth)).toBe(0);
    expect(x.board.get(ME, SLOT.tasksCompleted)).toBe(1);
  });
});

describe('ExecutorLoop ticks (stealing, thief side)', () => {
  it('an idle executor asks the saturated peer of its group, rings it, and has one request at a time', () => {
    const x = setup();
    x.loop.open();
    x.busyPeer(5);
    x.loop.tick();
    expect(x.sent).toEqual([[PEER, [F_STEAL, false], true]]);
    expect(x.board.get(ME, SLOT.stealAttempts)).toBe(1);
    x.clock.t += 10;
    x.loop.tick();
    expect(x.sent.length).toBe(1);
    expect(x.loop.control(PEER, [F_STEAL_REPLY, 3])).toBe(true);
    expect(x.events).toContain('stole 3 from 2');
    expect(x.board.get(ME, SLOT.stealSuccesses)).toBe(1);
  });

  it('asks nothing while it has work, while retiring, or of a peer that just ran dry', () => {
    const x = setup();
    x.loop.open();
    x.busyPeer(5);
    x.spawn(1, 1);
    x.loop.tick(); // a ready unit here
    x.queue.unqueue(x.units.get(1)!);
    x.loop.retiring = true;
    x.loop.tick();
    x.loop.retiring = false;
    x.board.set(PEER, SLOT.idleAt, x.clock.t - 1); // ran dry 1 ms ago: not saturated
    x.loop.tick();
    expect(x.sent).toEqual([]);
  });

  it('a request to a peer that left is abandoned: the next round may ask again after the cooldown', () => {
    const x = setup();
    x.loop.open();
    x.busyPeer(5);
    x.loop.tick();
    x.loop.disconnected(PEER);
    expect(x.loop.steal.outstanding).toBe(null);
    x.loop.tick(); // within the cooldown
    expect(x.sent.length).toBe(1);
    x.clock.t += STEAL.stealCooldownMs;
    x.loop.tick();
    expect(x.sent.length).toBe(2);
  });
});

describe('ExecutorLoop gives (stealing step 6, victim side)', () => {
  it('hands over half of the ready units worth moving, newest first, and answers with the count', () => {
    const x = setup();
    const units = Array.from({ length: 9 }, (_, i) => x.spawn(i + 1, 100));
    x.teach(units[0]!, 10, 1);
    expect(x.loop.control(PEER, [F_STEAL, false])).toBe(true);
    const k = stealCount(9, STEAL.stealThreshold);
    expect(k).toBe(4);
    expect(x.events.filter((e) => e.startsWith('move'))).toEqual([
      'move 9 → 2 (steal)',
      'move 8 → 2 (steal)',
      'move 7 → 2 (steal)',
      'move 6 → 2 (steal)',
    ]);
    expect(x.sent).toEqual([[PEER, [F_STEAL_REPLY, 4], false]]);
    expect(x.queue.depth).toBe(5);
    expect(x.events.at(-1)).toBe('publish');
  });

  it('never more than MAX_STEAL, and nothing once intake is closed', () => {
    const x = setup();
    const units = Array.from({ length: 3 * MAX_STEAL }, (_, i) => x.spawn(i + 1, 100));
    x.teach(units[0]!, 10, 1);
    expect(x.loop.give(PEER)).toBe(MAX_STEAL);
    x.intake.open = false; // shutdown phase 1: no unit moves any more
    expect(x.loop.give(PEER)).toBe(0);
    expect(x.loop.gather(PEER)).toBe(0);
  });

  it('a unit whose move throws stays, is reported once and is never offered again', () => {
    const x = setup();
    const units = Array.from({ length: 4 }, (_, i) => x.spawn(i + 1, 100));
    x.teach(units[0]!, 10, 1);
    x.refuse.add(4);
    expect(x.loop.give(PEER)).toBe(2); // 4 refused, 3 and 2 move: half of four
    expect(x.events.filter((e) => !e.startsWith('publish'))).toEqual([
      'refused 4 → 2: unit 4 cannot move',
      'move 3 → 2 (steal)',
      'move 2 → 2 (steal)',
    ]);
    x.events.length = 0;
    x.spawn(5, 100);
    x.spawn(6, 100);
    expect(x.loop.give(PEER)).toBe(1); // ready and offered: 6, 5, 1 (not 4): one of three
    expect(x.events).toEqual(['move 6 → 2 (steal)']);
  });

  it('gathers (compaction) at most MAX_STEAL units, never one whose backlog is worth a steal', () => {
    const x = setup();
    const cheap = { name: 'cheap' };
    const backlog = x.spawn(1000, 100); // looked at first
    const many = Array.from({ length: MAX_STEAL + 5 }, (_, i) => x.spawn(i + 1, 1, cheap));
    x.teach(backlog, 10, 1);
    x.teach(many[0]!, 1000, 0.001); // cheap items: not worth a steal
    expect(x.loop.gather(PEER)).toBe(MAX_STEAL);
    expect(x.units.has(1000)).toBe(true);
    expect(x.events.filter((e) => e.includes('(compaction)')).length).toBe(MAX_STEAL);
  });
});
