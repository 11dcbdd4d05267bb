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
 * Protocol across executors (implemented: forwarder.ts on each executor,
 * global.ts on the main thread; frames F_DL_* in the scheduler's codes.ts):
 * 1. Each executor host runs steps 1–4 locally (a cycle among its own actors
 *    is found and resolved there, synchronously) and, while some strategy
 *    detects, also forwards its live edges to the main thread: an edge waits
 *    FORWARD_DELAY_MS (1 ms) before it is sent, and one removed by then is
 *    never sent — most asks are answered sooner. Edges travel as plain data
 *    (node-qualified ask and actor ids, the asker's strategy and priority, a
 *    wall-clock time); `add` / `remove` go in one batch per flush on the
 *    executor's FIFO channel, so an edge's `remove` follows its `add`.
 * 2. The main thread applies them to one graph (`GlobalDeadlockDetector`) and
 *    searches from each added edge, as in step 2. A cycle whose edges all
 *    come from one executor is left to that executor (step 1).
 * 3. Confirmation: a cycle found there may be a phantom, built from an edge
 *    whose `remove` is still on its way. The main thread asks every executor
 *    holding an edge of the cycle whether all of them are still live; the
 *    executor flushes its pending events first, then answers. Edges are
 *    never re-added and each existed before the question was sent, so "all
 *    live" means the whole cycle existed at that moment: a real deadlock.
 *    A phantom is dropped and the search repeated from its surviving edges.
 * 4. The strategy of the closing asker (the edge that went live last, by wall
 *    time) picks the action on the main thread, which emits
 *    `deadlock.detected` / `deadlock.resolved` and sends the action to the
 *    executor holding the failing ask (or the victim's wait).
 * 5. That executor checks the ask is still live (else drops the action: the
 *    cycle was already broken), rejects it with DeadlockError (restarts the
 *    victim for `restart`), and asks the target's executor to dead-letter
 *    the ask's message if still queued (reason `deadlock`), as in-thread.
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
