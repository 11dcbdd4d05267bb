/**
 * Executor watchdog: what the main thread needs to notice a hung or dead
 * executor and to account for what it took with it, without asking it.
 *
 * One SharedArrayBuffer holds, per node (main = 0, executors 1..n):
 * - `beat`: a counter the node bumps at every scheduling point (each actor
 *   turn of its dispatcher and each executor tick). Single writer.
 * - `running`: the id of the actor whose turn is in progress (0: none), and
 *   the ids of its definition's name and of the type of the first user
 *   message of that turn in the node's string table. A hung thread cannot be
 *   asked what it is doing; these slots still say.
 * - a string table per node: each distinct name is written once (UTF-8, a
 *   length byte, cut at SLOT-1 bytes) and then named by its slot index, so a
 *   turn costs a Map lookup and three stores instead of UTF-8 encoding (which
 *   cost a quarter of an executor's time in ping-pong). A full table records
 *   -1: "not recorded".
 * - a transit ledger: `sent[from][to]` counts user-message frames `from`
 *   posted to `to`, `recv[to][from]` the ones `to` read. For a lost node the
 *   difference is what was still in its port when it died.
 *
 * Hang protocol (main thread, every `intervalMs`):
 * 1. For each watched node read `beat`; a changed value records "seen now".
 * 2. A node not seen for more than `hangTimeoutMs` is reported hung, once,
 *    with the running record read at that moment.
 * 3. A check that itself ran late by more than half the timeout (the main
 *    thread was blocked) resets every "seen" time instead of judging: silence
 *    the checker could not observe is not evidence.
 * Detection latency is therefore at most `hangTimeoutMs + intervalMs` after
 * the last beat.
 *
 * Invariants: every slot has one writer (its node; the ledger's `sent` row is
 * written by the sender, `recv` by the receiver); readers may see a value one
 * scheduling point old, never a torn one (aligned 8-byte stores).
 */

const HEAD = 4; // beat, running id, definition name id, message type id
const SLOT = 65; // bytes per interned string, length byte included: names are cut at 64 bytes
const SLOTS = 256; // distinct strings per node
const TABLE_BYTES = SLOT * SLOTS;
const BEAT = 0;
const RUNNING = 1;
const DEF_ID = 2;
const TYPE_ID = 3;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What an executor was doing when it stopped beating. */
export interface RunningRecord {
  /** Actor whose turn was in progress, 0 when the thread was between turns. */
  readonly actor: number;
  /** Its definition's name. */
  readonly def: string | undefined;
  /** Type of the first user message of that turn (`'(system)'` when none was queued). */
  readonly messageType: string | undefined;
}

export class WatchdogBoard {
  readonly buffer: SharedArrayBuffer;
  readonly nodes: number;
  private readonly head: Float64Array;
  private readonly ledger: Float64Array;
  private readonly types: Uint8Array;
  /** Writer side: this thread's interned strings (only its own node's row is used). */
  private readonly interned = new Map<string, number>();

  constructor(nodes: number, buffer?: SharedArrayBuffer) {
    this.nodes = nodes;
    const headBytes = nodes * HEAD * 8;
    const ledgerBytes = 2 * nodes * nodes * 8;
    this.buffer = buffer ?? new SharedArrayBuffer(headBytes + ledgerBytes + nodes * TABLE_BYTES);
    this.head = new Float64Array(this.buffer, 0, nodes * HEAD);
    this.ledger = new Float64Array(this.buffer, headBytes, 2 * nodes * nodes);
    this.types = new Uint8Array(this.buffer, headBytes + ledgerBytes, nodes * TABLE_BYTES);
  }

  /** Slot of `value` in `node`'s table, writing it on first use; -1 when the table is full. */
  private intern(node: number, value: string): number {
    const known = this.interned.get(value);
    if (known !== undefined) return known;
    const id = this.interned.size < SLOTS ? this.interned.size : -1;
    if (id >= 0) {
      const at = node * TABLE_BYTES + id * SLOT;
      const r = encoder.encodeInto(value, this.types.subarray(at + 1, at + SLOT));
      this.types[at] = r.written; // the length last: a reader never sees a longer string than was written
    }
    this.interned.set(value, id);
    return id;
  }

  private read(node: number, which: typeof DEF_ID | typeof TYPE_ID): string | undefined {
    const id = this.head[node * HEAD + which]!;
    if (id < 0) return '(not recorded: string table full)';
    const at = node * TABLE_BYTES + id * SLOT;
    // TextDecoder refuses shared memory: copy the few bytes out first.
    return decoder.decode(this.types.slice(at + 1, at + 1 + this.types[at]!));
  }

  // ---- writer side (the node itself) --------------------------------------

  /** A scheduling point outside a turn (executor tick). */
  beat(node: number): void {
    this.head[node * HEAD + BEAT]!++;
  }

  /** An actor turn starts: one beat plus the running record. */
  turn(node: number, actor: number, def: string, messageType: string): void {
    const h = node * HEAD;
    this.head[h + BEAT]!++;
    this.head[h + DEF_ID] = this.intern(node, def);
    this.head[h + TYPE_ID] = this.intern(node, messageType);
    this.head[h + RUNNING] = actor;
  }

  /** The dispatcher ran out of work. */
  idle(node: number): void {
    this.head[node * HEAD + RUNNING] = 0;
  }

  /** `from` posted a user-message frame to `to`. */
  sentTo(from: number, to: number): void {
    this.ledger[from * this.nodes + to]!++;
  }

  /** `to` read `n` user-message frames from `from`. */
  receivedFrom(to: number, from: number, n = 1): void {
    this.ledger[this.nodes * this.nodes + to * this.nodes + from]! += n;
  }

  /** Clears a node's row before a new thread takes it (main thread only, before the thread starts). */
  reset(node: number): void {
    this.head.fill(0, node * HEAD, node * HEAD + HEAD);
    this.types.fill(0, node * TABLE_BYTES, (node + 1) * TABLE_BYTES); // the new thread interns afresh
    const n = this.nodes;
    for (let m = 0; m < n; m++) {
      this.ledger[node * n + m] = 0;
      this.ledger[n * n + node * n + m] = 0;
      this.ledger[m * n + node] = 0;
      this.ledger[n * n + m * n + node] = 0;
    }
  }

  // ---- reader side (the main thread) ---------------------------------------

  beats(node: number): number {
    return this.head[node * HEAD + BEAT]!;
  }

  running(node: number): RunningRecord {
    const actor = this.head[node * HEAD + RUNNING]!;
    if (actor === 0) return { actor: 0, def: undefined, messageType: undefined };
    return { actor, def: this.read(node, DEF_ID), messageType: this.read(node, TYPE_ID) };
  }

  /** User-message frames `from` has posted to `to` so far. */
  sent(from: number, to: number): number {
    return this.ledger[from * this.nodes + to]!;
  }

  /** User-message frames posted to `node` that it never read. */
  inTransitTo(node: number): number {
    const n = this.nodes;
    let lost = 0;
    for (let m = 0; m < n; m++) lost += this.ledger[m * n + node]! - this.ledger[n * n + node * n + m]!;
    return lost;
  }
}

export interface WatchdogOptions {
  readonly hangTimeoutMs: number;
  readonly intervalMs: number;
  /** Called once per hang, with what the node was running at the moment it was judged. */
  readonly onHung: (node: number, running: RunningRecord, silentMs: number) => void;
  /** Milliseconds, monotonic (tests may inject). */
  readonly now?: () => number;
}

/** The main thread's checker (hang protocol in the module header). */
export class Watchdog {
  private readonly seen = new Map<number, { beats: number; at: number }>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastCheck = 0;
  private readonly now: () => number;

  constructor(
    private readonly board: WatchdogBoard,
    private readonly options: WatchdogOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Starts watching `node` (a fresh executor that just reported ready). */
  watch(node: number): void {
    this.seen.set(node, { beats: this.board.beats(node), at: this.now() });
    if (this.timer === null) {
      this.lastCheck = this.now();
      this.timer = setInterval(() => this.check(), this.options.intervalMs);
      this.timer.unref();
    }
  }

  /** Stops watching `node` (lost, retired or terminated). */
  unwatch(node: number): void {
    this.seen.delete(node);
  }

  /** Steps 1–3; public so tests can drive it without a timer. */
  check(): void {
    const now = this.now();
    const late = now - this.lastCheck - this.options.intervalMs;
    this.lastCheck = now;
    if (late > this.options.hangTimeoutMs / 2) {
      for (const s of this.seen.values()) s.at = now;
      return;
    }
    for (const [node, s] of this.seen) {
      const b = this.board.beats(node);
      if (b !== s.beats) {
        s.beats = b;
        s.at = now;
        continue;
      }
      const silent = now - s.at;
      if (silent > this.options.hangTimeoutMs) {
        this.seen.delete(node);
        this.options.onHung(node, this.board.running(node), silent);
      }
    }
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.seen.clear();
  }
}
