/**
 * A growable ring buffer of (item, meta) pairs: the mailbox's storage.
 *
 * Why pairs in one array instead of envelope objects: a tell must not
 * allocate. Storing the message and its meta (sender ref or ask handle) in
 * adjacent slots keeps the hot path to two stores and a mask. Capacity is a
 * power of two so wrap-around is a mask; storage starts empty so an idle actor
 * that never received a message carries no buffer.
 */
export class PairQueue<T = unknown, M = unknown> {
  private buf: unknown[] = EMPTY;
  private head = 0; // slot index (even) of the oldest pair
  private size = 0; // pairs
  /** Meta of the pair most recently returned by `shift()`. */
  meta: M | undefined = undefined;

  get length(): number {
    return this.size;
  }

  push(item: T, meta: M | undefined): void {
    let buf = this.buf;
    const cap = buf.length;
    if (this.size * 2 === cap) buf = this.grow();
    const i = (this.head + this.size * 2) & (buf.length - 1);
    buf[i] = item;
    buf[i + 1] = meta;
    this.size++;
  }

  /** Removes the oldest pair, returns its item and leaves its meta in `this.meta`. */
  shift(): T {
    const buf = this.buf;
    const i = this.head;
    const item = buf[i] as T;
    this.meta = buf[i + 1] as M;
    buf[i] = undefined;
    buf[i + 1] = undefined;
    this.head = (i + 2) & (buf.length - 1);
    if (--this.size === 0) this.head = 0;
    return item;
  }

  /** Puts a pair back at the front (a retried or deferred message keeps its place). */
  unshift(item: T, meta: M | undefined): void {
    let buf = this.buf;
    if (this.size * 2 === buf.length) buf = this.grow();
    const i = (this.head - 2) & (buf.length - 1);
    buf[i] = item;
    buf[i + 1] = meta;
    this.head = i;
    this.size++;
  }

  /** Removes the newest pair (drop-newest when the newest is already queued). */
  pop(): T {
    const buf = this.buf;
    const i = (this.head + (this.size - 1) * 2) & (buf.length - 1);
    const item = buf[i] as T;
    this.meta = buf[i + 1] as M;
    buf[i] = undefined;
    buf[i + 1] = undefined;
    this.size--;
    return item;
  }

  /** Copies out all pairs oldest first, without removing them. */
  toArray(): Array<[T, M | undefined]> {
    const out: Array<[T, M | undefined]> = [];
    const buf = this.buf;
    const mask = buf.length - 1;
    for (let k = 0, i = this.head; k < this.size; k++, i = (i + 2) & mask) {
      out.push([buf[i] as T, buf[i + 1] as M]);
    }
    return out;
  }

  clear(): void {
    this.buf = EMPTY;
    this.head = 0;
    this.size = 0;
    this.meta = undefined;
  }

  private grow(): unknown[] {
    const old = this.buf;
    const cap = old.length === 0 ? 8 : old.length * 2;
    const buf = new Array<unknown>(cap);
    const mask = old.length - 1;
    for (let k = 0, i = this.head; k < this.size * 2; k += 2, i = (i + 2) & mask) {
      buf[k] = old[i];
      buf[k + 1] = old[i + 1];
    }
    for (let k = this.size * 2; k < cap; k++) buf[k] = undefined;
    this.buf = buf;
    this.head = 0;
    return buf;
  }
}

const EMPTY: unknown[] = [];

/** A growable FIFO of single items (run queues). */
export class RingQueue<T> {
  private buf: (T | undefined)[] = new Array(16).fill(undefined);
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) & (this.buf.length - 1)] = item;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.size--;
    return item;
  }

  /** Removes every item matching `pred`, keeping order; returns the removed ones. */
  extract(pred: (item: T) => boolean): T[] {
    const kept: T[] = [];
    const out: T[] = [];
    while (this.size > 0) {
      const x = this.shift() as T;
      (pred(x) ? out : kept).push(x);
    }
    for (const x of kept) this.push(x);
    return out;
  }

  private grow(): void {
    const old = this.buf;
    const buf = new Array<T | undefined>(old.length * 2).fill(undefined);
    for (let k = 0; k < this.size; k++) buf[k] = old[(this.head + k) & (old.length - 1)];
    this.buf = buf;
    this.head = 0;
  }
}
