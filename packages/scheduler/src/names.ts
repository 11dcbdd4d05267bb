/**
 * NameTable: actor names unique across every thread of a system, claimed
 * synchronously (like Erlang's `register/2`: `ctx.spawn` with a taken name
 * throws at once). One SharedArrayBuffer that the main thread and every
 * executor map; the owner of a name is an actor id (a float64: ids exceed 2^31).
 *
 * Layout (int32 words): a header — [0] lock, [1] waiters, [2] active region,
 * [3] live names, [4] used slots (live + tombstones) of the active region,
 * [5] maxNames, [6] slots — then two regions of `slots` slots, one active.
 * A slot is 12 words: [0] state (EMPTY, LIVE, TOMB), [1] key tag, [2..9] key,
 * [10..11] the holder's id (float64). The key is the name's UTF-8 bytes when
 * they fit in 32 (tag = byte length), else its SHA-256 digest (tag = DIGEST):
 * a short name and a digest never compare equal, and two long names are one
 * key only if SHA-256 collides — no false "duplicate" in practice.
 *
 * Protocol (every operation, reads included):
 * 1. Lock: compare-and-swap word 0 from 0 to `node + 1` (the owner's node, so
 *    recovery can tell whose lock it is); spin a little, then park on the word
 *    (Atomics.wait, 1 ms at most) — critical sections are a probe, never I/O.
 * 2. Probe the active region linearly from the key's hash until an EMPTY slot:
 *    a LIVE slot with the key answers (claim: the holder; release: tombstone
 *    it when the id matches); the first TOMB or EMPTY slot passed is where a
 *    claim writes.
 * 3. A claim writes key and id into that slot while it is still EMPTY/TOMB,
 *    then publishes it with one store of LIVE; a release is one store of TOMB.
 * 4. Before a claim takes an EMPTY slot that would leave fewer than a quarter
 *    of the slots empty (tombstones lengthen every miss's probe), the live
 *    names are rehashed into the other region (cleared first) and one store
 *    of word 2 makes it active.
 * 5. Unlock: store 0, wake a parked thread if one waits.
 *
 * Invariants: a name is LIVE in at most one slot of the active region; only
 * the holder's id releases it; live ≤ maxNames ≤ slots / 2, so a probe always
 * meets an EMPTY slot and a rebuild frees at least a quarter of the slots
 * (rebuilds are amortized). Each step's effect becomes visible through one
 * store (3, 4), so a thread terminated inside a critical section leaves the
 * table consistent: `breakLock(node)` (recovery, once that node's thread is
 * gone) frees its lock and recounts words 3–4, the only ones it may have left
 * stale. Why open addressing with tombstones rather than backward-shift
 * deletion: a shift moves other names' slots in several stores, which a
 * terminated thread could leave half done (a name twice, or missing).
 */
import { createHash } from 'node:crypto';

const LOCK = 0;
const WAITERS = 1;
const ACTIVE = 2;
const LIVE_COUNT = 3;
const USED = 4;
const MAX_NAMES = 5;
const SLOTS = 6;
const HEADER_BYTES = 32;

const SLOT_WORDS = 12;
const KEY_WORDS = 8;
const KEY_BYTES = KEY_WORDS * 4;
const EMPTY = 0;
const LIVE = 1;
const TOMB = 2;
/** Key tag of a SHA-256 digest (inline keys are tagged with their byte length, 0–32). */
const DIGEST = KEY_BYTES + 1;
/** Failed compare-and-swaps before a thread parks on the lock word. */
const SPINS = 64;

/** The table holds `capacity` names and one more was claimed. */
export class NameTableFullError extends Error {
  constructor(
    /** The name that found no room. */
    readonly claimed: string,
    readonly capacity: number,
  ) {
    super(`name table full: ${capacity} names held, cannot claim ${JSON.stringify(claimed)}`);
    this.name = 'NameTableFullError';
  }
}

export interface NameTableOptions {
  /** Most names held at once (default 16384). Ignored when `buffer` is given. */
  readonly maxNames?: number;
  /** This thread's node (main = 0): the lock word records it. */
  readonly node: number;
  /** Another thread's table (from `table.buffer`). */
  readonly buffer?: SharedArrayBuffer;
}

export const DEFAULT_MAX_NAMES = 16_384;

const encoder = new TextEncoder();

export class NameTable {
  readonly buffer: SharedArrayBuffer;
  readonly node: number;
  private readonly words: Int32Array;
  private readonly ids: Float64Array;
  private readonly slots: number;
  /** This thread's encoded key for the operation in progress. */
  private readonly key = new Int32Array(KEY_WORDS);
  private readonly keyBytes = new Uint8Array(this.key.buffer);
  private tag = 0;

  /** Bytes a table for `maxNames` names takes. */
  static bytesFor(maxNames: number): number {
    return HEADER_BYTES + 2 * slotsFor(maxNames) * SLOT_WORDS * 4;
  }

  constructor(options: NameTableOptions) {
    this.node = options.node;
    if (options.buffer !== undefined) this.buffer = options.buffer;
    else {
      const maxNames = options.maxNames ?? DEFAULT_MAX_NAMES;
      if (!(Number.isInteger(maxNames) && maxNames >= 1 && maxNames <= 2 ** 24))
        throw new RangeError(`maxNames: expected an integer in [1, 16777216], got ${maxNames}`);
      this.buffer = new SharedArrayBuffer(NameTable.bytesFor(maxNames));
      const w = new Int32Array(this.buffer, 0, HEADER_BYTES / 4);
      w[MAX_NAMES] = maxNames;
      w[SLOTS] = slotsFor(maxNames);
    }
    this.words = new Int32Array(this.buffer);
    this.ids = new Float64Array(this.buffer);
    this.slots = this.words[SLOTS]!;
  }

  /** Most names held at once. */
  get capacity(): number {
    return this.words[MAX_NAMES]!;
  }

  /** Names held now. */
  get size(): number {
    return Atomics.load(this.words, LIVE_COUNT);
  }

  /**
   * Claims `name` for `id`: true when `id` holds it now (also when it already
   * did), else the id of its holder. Throws NameTableFullError at capacity.
   */
  claim(name: string, id: number): true | number {
    this.encode(name);
    this.lock();
    try {
      const found = this.probe();
      if (found >= 0) {
        const held = this.ids[this.idIndex(found)]!;
        return held === id ? true : held;
      }
      const w = this.words;
      if (w[LIVE_COUNT]! >= w[MAX_NAMES]!) throw new NameTableFullError(name, w[MAX_NAMES]!);
      let at = this.free;
      const wasEmpty = at < 0 || w[this.base(at)] === EMPTY;
      if (wasEmpty && w[USED]! + 1 > (this.slots * 3) / 4) {
        this.rebuild(); // step 4
        this.probe();
        at = this.free;
      }
      const b = this.base(at);
      w[b + 1] = this.tag;
      w.set(this.key, b + 2);
      this.ids[this.idIndex(at)] = id;
      Atomics.store(w, b, LIVE); // step 3: the one store that publishes
      w[LIVE_COUNT]!++;
      if (wasEmpty) w[USED]!++;
      return true;
    } finally {
      this.unlock();
    }
  }

  /** Frees `name` if `id` holds it; true when it did. */
  release(name: string, id: number): boolean {
    this.encode(name);
    this.lock();
    try {
      const found = this.probe();
      if (found < 0 || this.ids[this.idIndex(found)] !== id) return false;
      Atomics.store(this.words, this.base(found), TOMB);
      this.words[LIVE_COUNT]!--;
      return true;
    } finally {
      this.unlock();
    }
  }

  /** The id holding `name`, if any. */
  get(name: string): number | undefined {
    this.encode(name);
    this.lock();
    try {
      const found = this.probe();
      return found < 0 ? undefined : this.ids[this.idIndex(found)];
    } finally {
      this.unlock();
    }
  }

  /**
   * Frees every name whose holder `test` accepts (recovery: actors of a lost
   * executor); how many. `test` runs under the lock: it must not use the table.
   */
  releaseWhere(test: (id: number) => boolean): number {
    let n = 0;
    this.lock();
    try {
      const w = this.words;
      for (let s = 0; s < this.slots; s++) {
        const b = this.base(s);
        if (w[b] === LIVE && test(this.ids[this.idIndex(s)]!)) {
          Atomics.store(w, b, TOMB);
          w[LIVE_COUNT]!--;
          n++;
        }
      }
    } finally {
      this.unlock();
    }
    return n;
  }

  /**
   * Frees the lock if `node` holds it (call only once that node's thread is
   * gone) and recounts the header; true when it did.
   */
  breakLock(node: number): boolean {
    if (Atomics.compareExchange(this.words, LOCK, node + 1, 0) !== node + 1) return false;
    Atomics.notify(this.words, LOCK, 1);
    this.lock();
    try {
      let live = 0;
      let used = 0;
      for (let s = 0; s < this.slots; s++) {
        const st = this.words[this.base(s)];
        if (st === LIVE) live++;
        if (st !== EMPTY) used++;
      }
      this.words[LIVE_COUNT] = live;
      this.words[USED] = used;
    } finally {
      this.unlock();
    }
    return true;
  }

  // ---- internals (under the lock) -------------------------------------------

  /** Slot of the first TOMB/EMPTY slot the last probe passed. */
  private free = -1;

  /** Step 2: the slot holding the current key, or -1 (then `free` is where it would go). */
  private probe(): number {
    const w = this.words;
    const mask = this.slots - 1;
    this.free = -1;
    let s = this.hash() & mask;
    for (let i = 0; i < this.slots; i++, s = (s + 1) & mask) {
      const b = this.base(s);
      const st = w[b];
      if (st === EMPTY) {
        if (this.free < 0) this.free = s;
        return -1;
      }
      if (st === TOMB) {
        if (this.free < 0) this.free = s;
      } else if (w[b + 1] === this.tag && this.sameKey(b + 2)) return s;
    }
    return -1;
  }

  private sameKey(at: number): boolean {
    const w = this.words;
    const k = this.key;
    for (let i = 0; i < KEY_WORDS; i++) if (w[at + i] !== k[i]) return false;
    return true;
  }

  /** Step 4: live slots into the other region, then one store makes it active. */
  private rebuild(): void {
    const w = this.words;
    const from = w[ACTIVE]!;
    const to = 1 - from;
    const start = HEADER_BYTES / 4 + to * this.slots * SLOT_WORDS;
    w.fill(0, start, start + this.slots * SLOT_WORDS);
    const mask = this.slots - 1;
    let live = 0;
    for (let s = 0; s < this.slots; s++) {
      const b = this.baseIn(from, s);
      if (w[b] !== LIVE) continue;
      let t = mixKey(w[b + 1]!, w, b + 2) & mask;
      while (w[this.baseIn(to, t)] !== EMPTY) t = (t + 1) & mask;
      w.copyWithin(this.baseIn(to, t), b, b + SLOT_WORDS);
      live++;
    }
    Atomics.store(w, ACTIVE, to);
    w[LIVE_COUNT] = live;
    w[USED] = live;
  }

  private encode(name: string): void {
    this.keyBytes.fill(0);
    const r = encoder.encodeInto(name, this.keyBytes);
    if (r.read === name.length) this.tag = r.written;
    else {
      this.keyBytes.set(createHash('sha256').update(name).digest());
      this.tag = DIGEST;
    }
  }

  private hash(): number {
    return mixKey(this.tag, this.key, 0);
  }

  private base(slot: number): number {
    return this.baseIn(this.words[ACTIVE]!, slot);
  }

  private baseIn(region: number, slot: number): number {
    return HEADER_BYTES / 4 + (region * this.slots + slot) * SLOT_WORDS;
  }

  /** Float64 index of a slot's id in the active region (words 10–11; 8-byte aligned). */
  private idIndex(slot: number): number {
    return (this.base(slot) + 10) / 2;
  }

  private lock(): void {
    const w = this.words;
    const me = this.node + 1;
    for (let spins = 0; ; spins++) {
      const held = Atomics.compareExchange(w, LOCK, 0, me);
      if (held === 0) return;
      if (spins >= SPINS) {
        Atomics.add(w, WAITERS, 1);
        Atomics.wait(w, LOCK, held, 1);
        Atomics.sub(w, WAITERS, 1);
      }
    }
  }

  private unlock(): void {
    Atomics.store(this.words, LOCK, 0);
    if (Atomics.load(this.words, WAITERS) > 0) Atomics.notify(this.words, LOCK, 1);
  }
}

/** At least two slots a name, a power of two (the probe masks). */
function slotsFor(maxNames: number): number {
  let s = 16;
  while (s < maxNames * 2) s *= 2;
  return s;
}

/** A 32-bit mix of a key (tag + 8 words starting at `at`). */
function mixKey(tag: number, words: Int32Array, at: number): number {
  let h = Math.imul(tag + 1, 0x9e3779b1);
  for (let i = 0; i < KEY_WORDS; i++) {
    h = Math.imul(h ^ words[at + i]!, 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
