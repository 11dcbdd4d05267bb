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
import type { ActorDescription } from '../../kernel/events.ts';

export interface WaitEdge {
  /** Ask id (node-qualified, unique per system). */
  readonly id: number;
  /** The waiting actor (an ActorRef is one: no copy is made per ask). */
  readonly from: ActorDescription;
  readonly to: ActorDescription;
  /** Clock time the wait began, ms. */
  readonly since: number;
  /** Call chain of the ask. */
  readonly chain: number;
  /** The asker may serve same-chain messages while it waits. */
  readonly reentrant: boolean;
  readonly messageType: string;
  /** @internal set by the graph: adding an edge allocates nothing and walking it looks nothing up. */
  nextOut?: WaitEdge | undefined;
  /** @internal */
  fromNode?: WaitNode | undefined;
  /** @internal */
  toNode?: WaitNode | undefined;
}

/** @internal One actor in the graph: the head of its outgoing edges, plus search bookkeeping. */
export interface WaitNode {
  readonly id: number;
  out: WaitEdge | undefined;
  /** Outgoing reentrant edges (0 on the common path: then nothing into this node can be non-blocking). */
  reentrant: number;
  /** Search epoch that last visited this node (no Set per search). */
  mark: number;
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

const describe = (a: ActorDescription): ActorDescription => ({ id: a.id, name: a.name, def: a.def });

export class WaitForGraph<E extends WaitEdge = WaitEdge> {
  /** Every actor that asked or was asked while the graph was on, until it stops (`drop`). */
  private readonly nodes = new Map<number, WaitNode>();
  private count = 0;
  private epoch = 0;
  /** Reused by every search. */
  private readonly stack: Array<WaitEdge | undefined> = [];
  private readonly path: WaitEdge[] = [];

  get size(): number {
    return this.count;
  }

  node(id: number): WaitNode {
    let n = this.nodes.get(id);
    if (n === undefined) this.nodes.set(id, (n = { id, out: undefined, reentrant: 0, mark: 0 }));
    return n;
  }

  /** Is `actorId` waiting on anything? */
  waiting(actorId: number): boolean {
    return this.nodes.get(actorId)?.out !== undefined;
  }

  add(e: E): void {
    const from = (e.fromNode ??= this.node(e.from.id));
    e.toNode ??= this.node(e.to.id);
    e.nextOut = from.out;
    from.out = e;
    if (e.reentrant) from.reentrant++;
    this.count++;
  }

  remove(e: E): boolean {
    const from = e.fromNode;
    if (from === undefined) return false;
    let x = from.out;
    if (x === e) from.out = e.nextOut;
    else {
      while (x !== undefined && x.nextOut !== e) x = x.nextOut;
      if (x === undefined) return false;
      x.nextOut = e.nextOut;
    }
    e.nextOut = undefined;
    if (e.reentrant) from.reentrant--;
    this.count--;
    return true;
  }

  /** Removes every edge out of `actorId` (its handler finished or it stopped), calling `each` on them. */
  removeFrom(actorId: number, each: (e: E) => void, node?: WaitNode | null): void {
    const n = node ?? this.nodes.get(actorId);
    if (n === undefined || n.out === undefined) return;
    let x = n.out as E | undefined;
    n.out = undefined;
    n.reentrant = 0;
    while (x !== undefined) {
      const next = x.nextOut as E | undefined;
      x.nextOut = undefined;
      this.count--;
      each(x);
      x = next;
    }
  }

  /** Forgets a stopped actor (after `removeFrom`); edges still pointing at it keep their node object. */
  drop(actorId: number): void {
    this.nodes.delete(actorId);
  }

  /** Is `actorId` waiting with a reentrant ask of `chain` (so it serves that chain)? */
  reentrantOn(actorId: number, chain: number): boolean {
    const n = this.nodes.get(actorId);
    return n !== undefined && servesChain(n, chain);
  }

  /** An edge blocks unless its target serves the edge's chain reentrantly (invariant 2). */
  blocks(e: E): boolean {
    const to = e.toNode;
    return to === undefined || !servesChain(to, e.chain);
  }

  /**
   * The cycle `e` closes, as edges starting with `e` (`e`, then a path from
   * `e.to` back to `e.from`), or null. Iterative DFS over node objects: no
   * lookups, no allocation unless a cycle is found.
   */
  cycleThrough(e: E): E[] | null {
    const goal = e.fromNode!;
    const start = e.toNode!;
    if (start === goal) return this.blocks(e) ? [e] : null;
    // The common case: the target waits on nothing, so there is no cycle.
    if (start.out === undefined || !this.blocks(e)) return null;
    const epoch = ++this.epoch;
    start.mark = epoch;
    const stack = this.stack;
    const path = this.path;
    stack.push(start.out);
    let found: E[] | null = null;
    while (stack.length > 0) {
      const top = stack.length - 1;
      const x = stack[top];
      if (x === undefined) {
        stack.pop();
        path.pop();
        continue;
      }
      stack[top] = x.nextOut;
      if (!this.blocks(x as E)) continue;
      const to = x.toNode!;
      if (to === goal) {
        found = [e, ...(path as E[]), x as E];
        break;
      }
      if (to.mark === epoch || to.out === undefined) continue;
      to.mark = epoch;
      path.push(x);
      stack.push(to.out);
    }
    stack.length = 0;
    path.length = 0;
    return found;
  }

  snapshot(now: number): WaitForGraphSnapshot {
    const nodes = new Map<number, ActorDescription & { waiting: boolean }>();
    const edges: Array<WaitForGraphSnapshot['edges'][number]> = [];
    for (const n of this.nodes.values())
      for (let e = n.out; e !== undefined; e = e.nextOut) {
        nodes.set(e.from.id, { ...describe(e.from), waiting: true });
        if (!nodes.has(e.to.id)) nodes.set(e.to.id, { ...describe(e.to), waiting: false });
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
    for (const n of nodes.values()) if (this.waiting(n.id)) n.waiting = true;
    return { nodes: [...nodes.values()], edges };
  }
}

function servesChain(n: WaitNode, chain: number): boolean {
  if (n.reentrant === 0) return false;
  for (let x = n.out; x !== undefined; x = x.nextOut) if (x.reentrant && x.chain === chain) return true;
  return false;
}
