/**
 * RingQueue: a growable FIFO of single items in a power-of-two ring (the run
 * queue's storage, run-queue.ts). Growth copies the live items once into a
 * ring twice the size; `lastMatching` reads the newest items without taking
 * them (what a steal offers).
 */
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

  /**
   * Up to `want` items matching `pred`, newest first, looking at no more
   * than the `limit` newest items; the queue is left as it is.
   */
  lastMatching(pred: (item: T) => boolean, want: number, limit: number): T[] {
    const out: T[] = [];
    const mask = this.buf.length - 1;
    const stop = Math.max(0, this.size - limit);
    for (let k = this.size - 1; k >= stop && out.length < want; k--) {
      const x = this.buf[(this.head + k) & mask] as T;
      if (pred(x)) out.push(x);
    }
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
