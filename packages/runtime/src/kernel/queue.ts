/**
 * The mailbox's storage: a FIFO of (item, meta) pairs kept in a chain of
 * array segments.
 *
 * Why pairs in arrays instead of envelope objects: a tell must not allocate.
 * The message and its meta (sender ref or ask handle) sit in adjacent slots,
 * so the hot path is two stores and an index bump.
 *
 * Why segments instead of one ring buffer that doubles: a burst of a million
 * tells to one actor would copy the whole backlog at every doubling (and
 * allocate it in large-object space); segments never copy. Layout:
 * 1. A segment is a plain array of `2k + 1` slots: k pairs, then a link slot
 *    holding the next segment once one exists.
 * 2. Pushes write into the tail segment; when it is full a new one is linked,
 *    twice the size of the last, up to `MAX_PAIRS` pairs.
 * 3. Shifts read from the head segment; an exhausted head is unlinked and,
 *    if full-sized, kept as the one spare the next link reuses, so a queue
 *    that streams (never quite empty) stops allocating.
 * 4. A queue that becomes empty rewinds its last segment to slot 0, so the
 *    common case (one or a few messages at a time) reuses one small array.
 * 5. A queue that never held a message shares the `EMPTY` sentinel: an idle
 *    actor carries no buffer.
 */
export class PairQueue<T = unknown, M = unknown> {
  private hs: unknown[] = EMPTY; // head segment
  private r = 0; // read slot in hs
  private ts: unknown[] = EMPTY; // tail segment
  private w = 0; // write slot in ts
  private size = 0; // pairs
  private spare: unknown[] | null = null;
  /** Meta of the pair most recently returned by `shift()` or `pop()`. */
  meta: M | undefined = undefined;

  get length(): number {
    return this.size;
  }

  push(item: T, meta: M | undefined): void {
    let ts = this.ts;
    let w = this.w;
    if (w === ts.length - 1) {
      ts = this.link();
      w = 0;
    }
    ts[w] = item;
    ts[w + 1] = meta;
    this.w = w + 2;
    this.size++;
  }

  /** The oldest item, left in place (the executor watchdog's running record). Queue must be non-empty. */
  peek(): T {
    const hs = this.hs;
    const r = this.r;
    return (r === hs.length - 1 ? (hs[r] as unknown[])[0] : hs[r]) as T;
  }

  /** Removes the oldest pair, returns its item and leaves its meta in `this.meta`. Queue must be non-empty. */
  shift(): T {
    let hs = this.hs;
    let r = this.r;
    if (r === hs.length - 1) {
      // Head segment exhausted: follow the link (step 3).
      const next = hs[r] as unknown[];
      hs[r] = undefined;
      if (hs.length === MAX_SLOTS) this.spare = hs;
      this.hs = hs = next;
      r = 0;
    }
    const item = hs[r] as T;
    this.meta = hs[r + 1] as M;
    hs[r] = undefined;
    hs[r + 1] = undefined;
    if (--this.size === 0) {
      // Everything written was read, so hs is the tail: rewind it (step 4).
      this.ts = hs;
      this.w = 0;
      this.r = 0;
    } else this.r = r + 2;
    return item;
  }

  /** Puts a pair back at the front (a retried or deferred message keeps its place). */
  unshift(item: T, meta: M | undefined): void {
    if (this.size === 0) {
      this.push(item, meta);
      return;
    }
    let r = this.r;
    if (r === 0) {
      const s = segment(MIN_PAIRS);
      s[s.length - 1] = this.hs;
      this.hs = s;
      r = s.length - 1;
    }
    r -= 2;
    this.hs[r] = item;
    this.hs[r + 1] = meta;
    this.r = r;
    this.size++;
  }

  /** Removes the newest pair (drop-newest when the newest is already queued). Queue must be non-empty. */
  pop(): T {
    let w = this.w;
    if (w === 0) {
      // The tail segment is empty (a previous pop): step back to its predecessor.
      let s = this.hs;
      while (s[s.length - 1] !== this.ts) s = s[s.length - 1] as unknown[];
      s[s.length - 1] = undefined;
      this.ts = s;
      w = s.length - 1;
    }
    const ts = this.ts;
    w -= 2;
    const item = ts[w] as T;
    this.meta = ts[w + 1] as M;
    ts[w] = undefined;
    ts[w + 1] = undefined;
    this.w = w;
    if (--this.size === 0) {
      this.hs = ts;
      this.r = 0;
      this.w = 0;
    }
    return item;
  }

  /** Copies out all pairs oldest first, without removing them. */
  toArray(): Array<[T, M | undefined]> {
    const out: Array<[T, M | undefined]> = [];
    let s = this.hs;
    let i = this.r;
    for (let k = 0; k < this.size; k++, i += 2) {
      if (i === s.length - 1) {
        s = s[i] as unknown[];
        i = 0;
      }
      out.push([s[i] as T, s[i + 1] as M]);
    }
    return out;
  }

  clear(): void {
    this.hs = this.ts = EMPTY;
    this.r = this.w = 0;
    this.size = 0;
    this.spare = null;
    this.meta = undefined;
  }

  /** Links a new tail segment (step 2); the first push of a fresh queue lands here too. */
  private link(): unknown[] {
    const old = this.ts;
    if (old === EMPTY) {
      const s = segment(MIN_PAIRS);
      this.hs = this.ts = s;
      this.r = 0;
      return s;
    }
    const pairs = Math.min((old.length - 1) / 2, MAX_PAIRS / 2) * 2;
    let s: unknown[];
    if (pairs === MAX_PAIRS && this.spare !== null) {
      s = this.spare;
      this.spare = null;
    } else s = segment(pairs);
    old[old.length - 1] = s;
    this.ts = s;
    return s;
  }
}

// One pair first: most mailboxes (and every system-message queue) hold one message at a time.
const MIN_PAIRS = 1;
const MAX_PAIRS = 512;
const MAX_SLOTS = MAX_PAIRS * 2 + 1;

/** A segment of `pairs` pairs plus the link slot, built by pushes so its elements stay packed (fast loads). */
function segment(pairs: number): unknown[] {
  return new Array<unknown>(pairs * 2 + 1).fill(undefined);
}

/** Shared by every queue that never held a pair: its one slot reads as "full", so the first push links. */
const EMPTY: unknown[] = [undefined];
