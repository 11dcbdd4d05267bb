/**
 * The wait-for graph: a node per actor that waits or is waited on, an edge
 * `from → to` per pending ask whose asker's handler is awaiting it. Edges are
 * keyed by ask id, so the graph can be fed by events from any thread.
 *
 * Invariants:
 * 1. An edge exists only while its ask is pending and its asker is blocked in
 *    a handler; it is removed on reply, timeout, failure or stop.
 * 2. An edge `u → v` whose ask `v` can serve reentrantly (v is itself waiting
 *    with a reentrant ask of the same call chain) does not block, so cycle
 *    search skips it.
 * 3. Only the edge just added can close a new cycle, so detection is a search
 *    from its target back to its source — O(edges reachable), not O(graph).
 */
import type { ActorDescription } from '../events.ts';

export interface WaitEdge {
  /** Ask id (node-qualified, unique per system). */
  readonly id: number;
  readonly from: ActorDescription;
  readonly to: ActorDescription;
  /** Clock time the wait began, ms. */
  readonly since: number;
  /** Call chain of the ask. */
  readonly chain: number;
  /** The asker may serve same-chain messages while it waits. */
  readonly reentrant: boolean;
  readonly messageType: string;
}

export interface WaitForGraphSnapshot {
  readonly nodes: ReadonlyArray<ActorDescription & { readonly waiting: boolean }>;
  readonly edges: ReadonlyArray<{
    readonly ask: number;
    readonly from: number;
    readonly to: number;
    readonly messageType: string;
    readonly ageMs: number;
    readonly chain: number;
    readonly reentrant: boolean;
  }>;
}

export class WaitForGraph<E extends WaitEdge = WaitEdge> {
  /** Outgoing edges by asker id. */
  private readonly out = new Map<number, Map<number, E>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(e: E): void {
    let m = this.out.get(e.from.id);
    if (m === undefined) this.out.set(e.from.id, (m = new Map()));
    if (!m.has(e.id)) this.count++;
    m.set(e.id, e);
  }

  remove(e: E): boolean {
    const m = this.out.get(e.from.id);
    if (m === undefined || !m.delete(e.id)) return false;
    this.count--;
    if (m.size === 0) this.out.delete(e.from.id);
    return true;
  }

  /** Removes and returns every edge out of `actorId` (its handler finished or it stopped). */
  removeFrom(actorId: number): E[] {
    const m = this.out.get(actorId);
    if (m === undefined) return [];
    this.out.delete(actorId);
    this.count -= m.size;
    return [...m.values()];
  }

  edgesFrom(actorId: number): Iterable<E> {
    return this.out.get(actorId)?.values() ?? [];
  }

  /** Is `actorId` waiting with a reentrant ask of `chain` (so it serves that chain)? */
  reentrantOn(actorId: number, chain: number): boolean {
    const m = this.out.get(actorId);
    if (m === undefined) return false;
    for (const e of m.values()) if (e.reentrant && e.chain === chain) return true;
    return false;
  }

  /** An edge blocks unless its target serves the edge's chain reentrantly (invariant 2). */
  blocks(e: E): boolean {
    return !this.reentrantOn(e.to.id, e.chain);
  }

  /**
   * The cycle `e` closes, as edges starting with `e` (`e`, then a path from
   * `e.to` back to `e.from`), or null. Iterative DFS: a long wait chain must
   * not overflow the stack.
   */
  cycleThrough(e: E): E[] | null {
    if (!this.blocks(e)) return null;
    const goal = e.from.id;
    if (e.to.id === goal) return [e];
    const seen = new Set<number>([e.to.id]);
    const path: E[] = [];
    const stack: Iterator<E>[] = [this.edgesFrom(e.to.id)[Symbol.iterator]()];
    while (stack.length > 0) {
      const it = stack[stack.length - 1]!;
      const n = it.next();
      if (n.done) {
        stack.pop();
        path.pop();
        continue;
      }
      const x = n.value;
      if (!this.blocks(x)) continue;
      if (x.to.id === goal) return [e, ...path, x];
      if (seen.has(x.to.id)) continue;
      seen.add(x.to.id);
      path.push(x);
      stack.push(this.edgesFrom(x.to.id)[Symbol.iterator]());
    }
    return null;
  }

  snapshot(now: number): WaitForGraphSnapshot {
    const nodes = new Map<number, ActorDescription & { waiting: boolean }>();
    const edges: Array<WaitForGraphSnapshot['edges'][number]> = [];
    for (const m of this.out.values())
      for (const e of m.values()) {
        nodes.set(e.from.id, { ...e.from, waiting: true });
        if (!nodes.has(e.to.id)) nodes.set(e.to.id, { ...e.to, waiting: false });
        edges.push({
          ask: e.id,
          from: e.from.id,
          to: e.to.id,
          messageType: e.messageType,
          ageMs: now - e.since,
          chain: e.chain,
          reentrant: e.reentrant,
        });
      }
    return { nodes: [...nodes.values()], edges };
  }
}
