/**
 * The board: one SharedArrayBuffer of float64 slots per node (main = 0,
 * executors 1..n) that every thread can read without a message.
 *
 * Each executor writes only its own row (single writer; the main thread
 * writes one slot of each row, `eventsRead`, that the executor only reads),
 * at its scheduling points and on a short tick; readers (thieves choosing a victim, the main
 * thread's `metrics()`/`stats()`) may see values a tick old but never a torn
 * value (aligned 8-byte stores). That is enough for victim selection and
 * monitoring; exact accounting at quiescence comes from the same rows once
 * the executors have published after their last message.
 */

export const DEAD_REASONS = [
  'stopped',
  'mailbox-full',
  'dropped',
  'no-such-actor',
  'failed',
  'shutdown',
  'deadlock',
  'unserializable',
  'no-reply-target',
  'executor-crashed',
  'executor-lost',
  'hierarchy-violation',
  'other',
] as const;

export const SLOT = {
  alive: 0,
  group: 1,
  threadId: 2,
  queueDepth: 3,
  tasksCompleted: 4,
  busyMs: 5,
  stealAttempts: 6,
  stealSuccesses: 7,
  numaCrossings: 8,
  migrations: 9,
  sent: 10,
  processed: 11,
  dead: 12,
  actors: 13,
  startedAt: 14,
  stealRounds: 15,
  /** First of DEAD_REASONS.length dead-letter counters (16–28). */
  reasons: 16,
  /** Live actors born on this node (it is their directory): it cannot retire while > 0. */
  directory: 29,
  /**
   * Snapshots this node sent and received (migrations), as of its last publish. Σ actors +
   * Σ snapshotsOut − Σ snapshotsIn counts an actor in flight between two threads exactly once,
   * whichever of the two rows is older.
   */
  snapshotsOut: 30,
  snapshotsIn: 31,
  /**
   * Doorbell: other threads ring it (an Int32 counter, Atomics) after posting a frame this node
   * should handle before its drain's time slice ends (steal request, migration handshake). Read
   * with `bell`, never with `get`.
   */
  doorbell: 32,
  /**
   * Wall-clock time (`performance.timeOrigin + performance.now()`, ms) this node last ran out of
   * ready actors: thieves take only from a victim that has been busy without a break (stealing.ts).
   */
  idleAt: 33,
  /**
   * Batches posted to this node (an Int32 counter, Atomics, like the doorbell; node ids are never
   * reused): a drain that has run INBOX_WAIT_MS yields while more were posted than its thread has
   * read. Read with `posts`, never with `get`.
   */
  posted: 34,
  /**
   * Activity (activity.ts; Int32 counters, Atomics): `active` is 1 while the node may have work,
   * `wakes` counts its 0→1 changes, `holds` is 1 while it has pending work (asks, timers,
   * handlers awaiting a promise), `read` counts the batches it has read (compare `posted`).
   */
  active: 35,
  wakes: 36,
  holds: 37,
  read: 38,
  /** Events this node has posted to the main thread (its event window, runtime executors/event-window.ts). */
  eventsForwarded: 39,
  /**
   * Events from this node the main thread has read. The one slot of a row the main thread writes
   * (single writer still: the executor only reads it): the executor's window is forwarded − read.
   */
  eventsRead: 40,
  /** Per-message events this node dropped because its window to the main thread was full. */
  eventsDropped: 41,
  /**
   * Pending messages that left this node with migrating actors minus those that arrived (may be
   * negative). Σ (sent + moved) counts a mailbox on the move once, whichever of the two rows is older.
   */
  moved: 42,
} as const;

/**
 * How long a batch posted to a busy executor may wait before its drain
 * yields to read it, ms: a busy executor reads its port only when its drain
 * yields (`yieldMs`, 5 ms by default). This is the inbound half of a round
 * trip through a busy executor; `BATCH_WAIT_MS` (transport.ts) is the
 * outbound half. Dining philosophers on 2 executors, with denied
 * philosophers retrying on the arbiter's thread, took 68 s with neither
 * (every remote meal waited ~5 ms per hop) and 1.1-3.9 s with both.
 */
export const INBOX_WAIT_MS = 0.1;

/**
 * How often a long drain publishes its busy time so far, ms: peers measure
 * each other's utilization over windows of a few ms (compaction.ts), and a
 * drain lasts up to the runtime's yieldMs (5 ms by default).
 */
export const BUSY_PUBLISH_MS = 0.5;

/** Wall-clock ms, comparable across threads (each thread's performance.now() has its own origin). */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Float64 slots per row (a few spare). */
export const STRIDE = 48;

/**
 * After the rows: one cache line of system-wide counters, written by every
 * thread with Atomics (BigInt64: they must not wrap in a long-lived system),
 * on a line of their own so that they never contend with a row's slots.
 */
const TAIL = 8;
const T_SEQ = 0;
/** The shared rate window (`admit`): occurrences counted, window start (wall ms), admitted and refused in it. */
const T_TOTAL = 1;
const T_WIN_START = 2;
const T_WIN_COUNT = 3;
const T_WIN_MISSED = 4;

/** An occurrence `admit` let through. */
export interface Admission {
  /** Occurrences counted so far, system-wide (this one included). */
  readonly total: number;
  /** Its rank in the current window: `max` is the last one admitted before the window ends. */
  readonly rank: number;
  /** Occurrences refused in the window before this one's, when this one opened a window (else 0). */
  readonly missed: number;
}

export class Board {
  readonly slots: Float64Array;
  readonly nodes: number;

  constructor(
    /** Nodes the board has room for (main + maximum executors). */
    nodes: number,
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer((nodes * STRIDE + TAIL) * 8),
  ) {
    this.nodes = nodes;
    this.slots = new Float64Array(buffer);
    this.ints = new Int32Array(buffer);
    this.tail = new BigInt64Array(buffer, nodes * STRIDE * 8, TAIL);
  }

  private readonly ints: Int32Array;
  private readonly tail: BigInt64Array;

  /**
   * The next number of the system-wide sequence (any thread): one atomic add,
   * no message. Numbers grow in the order they are taken, whichever thread
   * takes them, so they order events of different threads (the runtime draws
   * actor ids from it: a higher id is a younger actor).
   */
  nextSeq(): number {
    return Number(Atomics.add(this.tail, T_SEQ, 1n)) + 1;
  }

  /**
   * One rate limit for every thread (the runtime's dead-letter log): counts an
   * occurrence at wall time `now` (ms) and admits it when it is among the
   * first `max` of the current window of `perMs`, else counts it as refused.
   * The first occurrence after a window has ended opens the next one and
   * learns how many the previous one refused. Lock-free: a few occurrences
   * racing a window change may count toward either window.
   */
  admit(now: number, max: number, perMs: number): Admission | null {
    const t = this.tail;
    const total = Number(Atomics.add(t, T_TOTAL, 1n)) + 1;
    let missed = 0;
    const start = Atomics.load(t, T_WIN_START);
    if (
      now - Number(start) >= perMs &&
      Atomics.compareExchange(t, T_WIN_START, start, BigInt(Math.floor(now))) === start
    ) {
      Atomics.store(t, T_WIN_COUNT, 0n);
      missed = Number(Atomics.exchange(t, T_WIN_MISSED, 0n));
    }
    const rank = Number(Atomics.add(t, T_WIN_COUNT, 1n)) + 1;
    if (rank > max) {
      Atomics.add(t, T_WIN_MISSED, 1n);
      return null;
    }
    return { total, rank, missed };
  }

  /** Starts the sequence after `n` (numbers handed out before the board existed); only raises it. */
  seedSeq(n: number): void {
    const want = BigInt(n);
    for (;;) {
      const cur = Atomics.load(this.tail, T_SEQ);
      if (cur >= want || Atomics.compareExchange(this.tail, T_SEQ, cur, want) === cur) return;
    }
  }

  /** Rings `node`'s doorbell (any thread). */
  ring(node: number): void {
    Atomics.add(this.ints, (node * STRIDE + SLOT.doorbell) * 2, 1);
  }

  /** The doorbell's count: a change since the last read means a ring. */
  bell(node: number): number {
    return Atomics.load(this.ints, (node * STRIDE + SLOT.doorbell) * 2);
  }

  /** Counts a batch posted to `node` (any thread, after the post). */
  post(node: number): void {
    Atomics.add(this.ints, (node * STRIDE + SLOT.posted) * 2, 1);
  }

  /** Batches posted to `node` so far (counted after each post, so it may trail the port by one). */
  posts(node: number): number {
    return Atomics.load(this.ints, (node * STRIDE + SLOT.posted) * 2);
  }

  /** An Int32 slot (doorbell, posted, activity), read with Atomics: sequentially consistent across threads. */
  load(node: number, slot: number): number {
    return Atomics.load(this.ints, (node * STRIDE + slot) * 2);
  }

  store(node: number, slot: number, value: number): void {
    Atomics.store(this.ints, (node * STRIDE + slot) * 2, value);
  }

  increment(node: number, slot: number): void {
    Atomics.add(this.ints, (node * STRIDE + slot) * 2, 1);
  }

  get(node: number, slot: number): number {
    return this.slots[node * STRIDE + slot]!;
  }

  set(node: number, slot: number, value: number): void {
    this.slots[node * STRIDE + slot] = value;
  }

  add(node: number, slot: number, delta = 1): void {
    this.slots[node * STRIDE + slot]! += delta;
  }

  /** Nodes currently running as executors. */
  executors(): number[] {
    const out: number[] = [];
    for (let n = 1; n < this.nodes; n++) if (this.get(n, SLOT.alive) === 1) out.push(n);
    return out;
  }

  /** Dead-letter counts of a node by reason (non-zero only). */
  reasons(node: number): Record<string, number> {
    const out: Record<string, number> = {};
    DEAD_REASONS.forEach((r, i) => {
      const v = this.get(node, SLOT.reasons + i);
      if (v > 0) out[r] = v;
    });
    return out;
  }

  /** Writes dead-letter counts of `node` from a reason → count map. */
  private readonly scratch = new Float64Array(DEAD_REASONS.length);

  setReasons(node: number, byReason: ReadonlyMap<string, number>): void {
    // Each slot is written once, with its final value: other threads read rows while they are
    // written, and a slot zeroed first then refilled showed them counts going backwards.
    // Executors publish after every inbound batch: one scratch row instead of an array each time.
    const values = this.scratch.fill(0);
    for (const [r, n] of byReason) {
      const i = (DEAD_REASONS as readonly string[]).indexOf(r);
      values[i >= 0 ? i : DEAD_REASONS.length - 1]! += n;
    }
    for (let i = 0; i < values.length; i++) this.set(node, SLOT.reasons + i, values[i]!);
  }
}
