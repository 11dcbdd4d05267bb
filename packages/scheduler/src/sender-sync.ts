/**
 * Sender sync: per-pair FIFO when the *sender* moves. The migration handshake
 * (the runtime's executors/link.ts) orders what reaches a moving receiver;
 * this orders what a moving sender sent. It knows units only as things that
 * can be held and released (`Holdable`); the runtime's actor cell is one.
 *
 * A unit S that leaves executor H may have sent messages from H that are
 * still on their way: in H's batches not yet read by their first hop X (a
 * receiver's birth executor, a forwarder), or forwarded by X since. Sent from
 * its new executor T, S's next message to the same receiver could overtake
 * them — through another port into X (ports are read in turn), or at once,
 * when the receiver lives on T while the older message still waits at X.
 *
 * Protocol (migration steps 1 and 2 of the runtime's link.ts):
 * 1. H posts every batch it holds for other executors before the snapshot
 *    (what S sent is in them) and puts in the snapshot frame, for each
 *    executor X it posted to, the count k of batches it posted to X so far.
 * 2. T rehydrates S held (`holdForSync`: the runtime's cell runs no turn and
 *    no timer; messages to it queue) and asks each X but itself and node 0
 *    (the main thread runs no units) to confirm it has read H's first k batches: F_SYNC h k token.
 * 3. X answers F_SYNCED token once it has read them — at once, or after the
 *    batch that completes them. What X forwarded from them was queued on its
 *    channels before the answer: on the channel to T, ahead of it.
 * 4. T releases S once every X answered. Whatever S sends from then on is
 *    behind everything it sent from H at every first hop, and at T itself;
 *    further hops are ordered by the receiver's protocol (the migration handshake).
 * An executor that is lost or leaves answers for itself: nothing more comes
 * that way. Answers are remembered per (H, X), and one request serves every
 * unit that arrives from H meanwhile (a steal of sixteen asks once).
 * Nodes number below PAIR (4096); the runtime's ids use 1024.
 *
 * Cost: a count per inbound batch; per migration, one round trip to each
 * executor H posted to, during which S waits (its messages queue). Nothing
 * per message. A placement moves a unit that never ran: it has sent
 * nothing and needs no sync.
 */
import { F_SYNC, F_SYNCED } from './codes.ts';

/** A unit that can wait for a sync: held, it runs nothing (its work queues); released, it goes on. */
export interface Holdable {
  holdForSync(): void;
  releaseSync(): void;
}

/** What the sync needs of its link. */
export interface SyncLink {
  readonly node: number;
  /** Batches posted to `node` so far, or undefined when not connected. */
  posted(node: number): number | undefined;
  connected(node: number): boolean;
  sendUrgent(node: number, frame: unknown[]): void;
}

interface Request<U> {
  readonly x: number;
  readonly h: number;
  readonly k: number;
  readonly units: U[];
}

/** Room for node numbers in a (h, x) key. */
const PAIR = 4096;

export class SenderSync<U extends Holdable = Holdable> {
  /** Batches read from each node, by node. */
  private readonly read: number[] = [];
  /** X side: requests waiting for more batches of h, by h: [k, T, token]. */
  private waiting: Map<number, Array<[number, number, number]>> | null = null;
  /** T side: requests in flight, by token. */
  private readonly asked = new Map<number, Request<U>>();
  /** T side: the latest request per (h, x) pair, joined by later arrivals it covers. */
  private readonly latest = new Map<number, Request<U>>();
  /** T side: the count of h's batches x confirmed it read, per (h, x). */
  private readonly confirmed = new Map<number, number>();
  /** T side: held units and the requests each still waits for. */
  private readonly held = new Map<U, number>();
  /** T side: what waits for a held unit's release (a migrate request: it moves once it may run). */
  private later: Map<U, Array<() => void>> | null = null;
  private seq = 0;

  constructor(private readonly link: SyncLink) {}

  /** Step 1, on H once every channel was flushed: [x, k, …] for the executors other than `to`. */
  departure(to: number, peers: Iterable<number>): number[] {
    const out: number[] = [];
    for (const x of peers) {
      if (x === to || x === 0) continue; // the main thread runs no units: nothing of S's passes there
      const k = this.link.posted(x) ?? 0;
      if (k > 0) out.push(x, k);
    }
    return out;
  }

  /** Step 2, on T: holds `unit` (arrived from `h`) until every executor in `counts` read h's batches. */
  arrive(unit: U, h: number, counts: readonly number[]): void {
    let waits = 0;
    for (let i = 0; i + 1 < counts.length; i += 2) {
      const x = counts[i]!;
      const k = counts[i + 1]!;
      if (x === this.link.node || !this.link.connected(x)) continue;
      const pair = h * PAIR + x;
      if ((this.confirmed.get(pair) ?? 0) >= k) continue;
      let req = this.latest.get(pair);
      if (req === undefined || req.k < k) {
        const token = ++this.seq;
        req = { x, h, k, units: [] };
        this.asked.set(token, req);
        this.latest.set(pair, req);
        this.link.sendUrgent(x, [F_SYNC, h, k, token]);
      }
      req.units.push(unit);
      waits++;
    }
    if (waits === 0) return;
    this.held.set(unit, (this.held.get(unit) ?? 0) + waits);
    unit.holdForSync();
  }

  /** Runs `fn` once `unit` is no longer held (now, when it is not). */
  whenReleased(unit: U, fn: () => void): void {
    if (!this.held.has(unit)) {
      fn();
      return;
    }
    const map = (this.later ??= new Map());
    const list = map.get(unit);
    if (list === undefined) map.set(unit, [fn]);
    else list.push(fn);
  }

  /** Step 3, on X: T asks whether h's first k batches were read here. */
  onSync(t: number, h: number, k: number, token: number): void {
    if ((this.read[h] ?? 0) >= k || !this.link.connected(h)) {
      this.link.sendUrgent(t, [F_SYNCED, token]);
      return;
    }
    const map = (this.waiting ??= new Map());
    let list = map.get(h);
    if (list === undefined) map.set(h, (list = []));
    list.push([k, t, token]);
  }

  /** After each inbound batch from `from` (once its frames were handled): step 3's late answers. */
  afterRead(from: number): void {
    const n = (this.read[from] = (this.read[from] ?? 0) + 1);
    if (this.waiting === null) return;
    const list = this.waiting.get(from);
    if (list === undefined) return;
    const left = list.filter(([k, t, token]) => {
      if (k > n) return true;
      if (this.link.connected(t)) this.link.sendUrgent(t, [F_SYNCED, token]);
      return false;
    });
    if (left.length > 0) this.waiting.set(from, left);
    else this.waiting.delete(from);
    if (this.waiting.size === 0) this.waiting = null;
  }

  /** Step 4, on T. */
  onSynced(token: number): void {
    const req = this.asked.get(token);
    if (req !== undefined) this.settle(token, req);
  }

  /** `node` is gone (lost, or retired): it answers for itself, and is owed no answer. */
  lost(node: number): void {
    const w = this.waiting;
    if (w !== null) {
      for (const [h, list] of [...w]) {
        const left = list.filter(([, t, token]) => {
          if (t === node) return false;
          if (h !== node) return true;
          if (this.link.connected(t)) this.link.sendUrgent(t, [F_SYNCED, token]);
          return false;
        });
        if (left.length > 0) w.set(h, left);
        else w.delete(h);
      }
      if (w.size === 0) this.waiting = null;
    }
    for (const [token, req] of [...this.asked]) if (req.x === node) this.settle(token, req);
  }

  private settle(token: number, req: Request<U>): void {
    this.asked.delete(token);
    const pair = req.h * PAIR + req.x;
    if (this.latest.get(pair) === req) this.latest.delete(pair);
    if ((this.confirmed.get(pair) ?? 0) < req.k) this.confirmed.set(pair, req.k);
    for (const unit of req.units) {
      const left = (this.held.get(unit) ?? 1) - 1;
      if (left > 0) this.held.set(unit, left);
      else {
        this.held.delete(unit);
        unit.releaseSync();
        const then = this.later?.get(unit);
        if (then !== undefined) {
          this.later!.delete(unit);
          for (const fn of then) fn();
        }
      }
    }
  }
}
