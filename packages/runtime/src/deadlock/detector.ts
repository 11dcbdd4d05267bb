/**
 * The deadlock detector: a wait-for graph fed by edge events, which reports
 * the cycle an added edge closes.
 *
 * Why a detector fed by events rather than Chandy–Misra–Haas probes: inside a
 * thread the whole graph is in one place and a closing edge is found by one
 * bounded search at the moment it is added (no probe rounds, no timers), and
 * across threads the same events can be forwarded to one detector instead of
 * chasing probes through every executor's mailbox.
 *
 * Protocol (in-thread, implemented):
 * 1. A handler asks (`ctx.ask`) and awaits: the host creates the edge
 *    `asker → target` keyed by the ask id and calls `add(edge, detect)` once
 *    the asker is blocked (runtime.ts: after the handler returned its promise).
 * 2. `add` inserts the edge and, when `detect`, searches from `edge.to` back to
 *    `edge.from` over blocking edges. A path found is a cycle: it is reported
 *    to `onCycle` synchronously, edge first, before `add` returns.
 * 3. The reply, timeout, failure of the ask, the end of the asker's handler or
 *    the asker's stop call `remove` (or `removeFrom` for all of an actor's).
 * 4. `onCycle`'s owner (runtime.ts) picks the action with the strategy and
 *    applies it; applying it settles an ask, which is step 3 for that edge.
 *
 * Protocol across executors (the interface is ready; the forwarding is the
 * scheduler's part):
 * 1. Each executor host runs steps 1 and 3 locally but, instead of calling
 *    the detector, posts `EdgeEvent`s (`add` / `remove` / `remove-from`, plain
 *    data: ids are node-qualified, so no lookup is needed) to the main thread
 *    on its existing control channel. Per-executor FIFO order keeps an edge's
 *    `remove` after its `add`.
 * 2. The main thread applies them with `apply(event)`; the one detector sees
 *    the union of every executor's edges.
 * 3. A cycle found there becomes an action naming an ask id; the action is
 *    posted to the ask's owner (`id % NODE_SPACE` is the asker's node).
 * 4. The owner checks the ask is still pending (a `remove` may have been in
 *    flight: the cycle was already broken) and applies the action, or drops
 *    it. That check makes a stale edge harmless: it can cost a detection, not
 *    a wrong rejection.
 */
import { type WaitEdge, WaitForGraph, type WaitNode } from './wait-for-graph.ts';

export type EdgeEvent<E extends WaitEdge = WaitEdge> =
  | { readonly op: 'add'; readonly edge: E; readonly detect: boolean }
  | { readonly op: 'remove'; readonly edge: E }
  | { readonly op: 'remove-from'; readonly actor: number };

const noop = (): void => {};

export class DeadlockDetector<E extends WaitEdge = WaitEdge> {
  readonly graph = new WaitForGraph<E>();

  constructor(private readonly onCycle: (cycle: E[]) => void) {}

  add(edge: E, detect: boolean): void {
    this.graph.add(edge);
    if (!detect) return;
    const cycle = this.graph.cycleThrough(edge);
    if (cycle !== null) this.onCycle(cycle);
  }

  remove(edge: E): boolean {
    return this.graph.remove(edge);
  }

  removeFrom(actorId: number, each: (e: E) => void = noop, node?: WaitNode | null): void {
    this.graph.removeFrom(actorId, each, node);
  }

  /** Applies one forwarded event (cross-executor feeding, step 2). */
  apply(ev: EdgeEvent<E>): void {
    switch (ev.op) {
      case 'add':
        this.add(ev.edge, ev.detect);
        break;
      case 'remove':
        this.remove(ev.edge);
        break;
      case 'remove-from':
        this.removeFrom(ev.actor);
        break;
    }
  }
}
