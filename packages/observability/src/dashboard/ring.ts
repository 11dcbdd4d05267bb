/**
 * A fixed-capacity ring: pushing past capacity overwrites the oldest entry, so
 * whatever flows through it the memory it holds stays bounded. `seq` numbers
 * every push, so a reader can ask for what came after the last one it saw.
 */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private count = 0;
  /** Pushes so far (the sequence number of the next push). */
  seq = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError(`ring capacity ${capacity}`);
    this.items = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    this.items[(this.head + this.count) % this.capacity] = item;
    if (this.count < this.capacity) this.count++;
    else this.head = (this.head + 1) % this.capacity;
    this.seq++;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.head + i) % this.capacity] as T);
    return out;
  }

  /** The newest `n`, oldest first. */
  last(n: number): T[] {
    const k = Math.max(0, Math.min(n, this.count));
    const out: T[] = [];
    for (let i = this.count - k; i < this.count; i++)
      out.push(this.items[(this.head + i) % this.capacity] as T);
    return out;
  }

  /** What was pushed after sequence number `seq` (at most what the ring still holds), oldest first. */
  since(seq: number): T[] {
    return this.last(this.seq - Math.max(seq, this.seq - this.count));
  }

  newest(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.head + this.count - 1) % this.capacity];
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
