/**
 * DeadlockRuntime: one per host, created only when something needs it (a
 * strategy other than `timeout-only`, a stall threshold, reentrancy, or a
 * definition with deadlock options; plugin.ts). While it is absent, asks take
 * the plain path in host.ts.
 *
 * Edge life cycle (detector.ts has the detection protocol):
 * 1. `ask` from an actor creates the edge `asker → target`. If the asker is
 *    already blocked (an ask after an `await`), the edge goes live at once.
 *    If the ask is made in the synchronous part of a handler, the edge waits
 *    in `held`: it goes live in `onAwait`, when that handler returns its
 *    promise — a handler that returns synchronously never waited, and its
 *    pending edges are dropped (recognised by the `processed` counter having
 *    moved on).
 * 2. A live edge is added to the detector; if it closes a cycle and the
 *    asker's strategy detects, `resolve` runs synchronously.
 * 3. The edge leaves on the ask's settle (reply, timeout, failure, stop of the
 *    target), when the asker's handler finishes (`onHandlerDone`) and when
 *    the asker stops (`onActorGone`).
 */
import { AskHandle, PendingAsk } from '../../kernel/ask.ts';
import { type ActorCell, ALIVE } from '../../kernel/cell.ts';
import { cellOf } from '../../kernel/cell-of.ts';
import { type Clock, systemClock } from '../../kernel/clock.ts';
import type { ActorDefinition } from '../../kernel/definition.ts';
import { AskTimeoutError, type DeadlockCycleEntry, DeadlockError } from '../../kernel/errors.ts';
import { type ActorDescription, messageType } from '../../kernel/events.ts';
import { defineSlot } from '../../kernel/ext.ts';
import { type Host, NODE_SPACE } from '../../kernel/host.ts';
import type { ActorRef, AskOptions } from '../../kernel/ref.ts';
import { DeadlockDetector } from './detector.ts';
import { hierarchyViolation } from './hierarchy.ts';
import type { ResolvedDeadlockOptions } from './options.ts';
import { NOT_FOUND, queuedOfChain, reenter, takeQueued } from './reentrancy.ts';
import { StallMonitor } from './stall-monitor.ts';
import { type DeadlockAction, type DeadlockCycle, decide } from './strategies.ts';
import type { WaitEdge, WaitForGraphSnapshot, WaitNode } from './wait-for-graph.ts';

/** An actor's node in the wait-for graph, so an edge looks nothing up (stays on its thread). */
const WAIT_NODE = defineSlot<WaitNode>('deadlock.node');

const PENDING = 0;
export const LIVE = 1;

/**
 * Threaded mode's link to the main thread's detector (forwarder.ts `EdgeForwarder` implements
 * it): live edges go out, confirmations and actions come back. Named here so the forwarder
 * imports the runtime and not both ways.
 */
export interface EdgeSink {
  add(e: TrackedAsk, rt: DeadlockRuntime): void;
  remove(e: TrackedAsk): void;
  /** True when every edge of a cycle the main thread found is still live here (after a flush). */
  confirm(ids: readonly number[]): boolean;
  /** Applies the main thread's action; false when it came too late. */
  act(
    rt: DeadlockRuntime,
    action: DeadlockAction,
    edgeId: number,
    cycle: readonly DeadlockCycleEntry[],
    strategy: string,
  ): boolean;
}
const GONE = 2;

/**
 * An ask that is also a wait-for edge: one object per ask, as without
 * detection (a separate edge object and a settle closure per ask cost a third
 * of an ask-heavy workload). Its settle hook is a shared method, not a closure.
 */
export class TrackedAsk extends PendingAsk implements WaitEdge {
  state = PENDING;
  nextOut: WaitEdge | undefined = undefined;
  fromNode: WaitNode | undefined = undefined;
  toNode: WaitNode | undefined = undefined;
  constructor(
    resolve: (v: any) => void,
    reject: (e: unknown) => void,
    clock: Clock,
    /** Ask id: creation order system-wide (host.ts `nextSeq`), which fail-youngest's tie-break relies on. */
    readonly id: number,
    readonly cell: ActorCell,
    readonly to: ActorRef,
    readonly since: number,
    readonly reentrant: boolean,
    readonly msg: unknown,
    readonly rt: DeadlockRuntime,
  ) {
    super(resolve, reject, cell.ref, clock, settleTracked);
  }

  get from(): ActorRef {
    return this.cell.ref;
  }

  get messageType(): string {
    return messageType(this.msg);
  }
}

/** PendingAsk calls `this.onSettle()`: `this` is the TrackedAsk. */
function settleTracked(this: TrackedAsk): void {
  this.rt.settled(this);
}

type LocalEdge = TrackedAsk;

const describe = (r: ActorRef): ActorDescription => r.toJSON();

function nodeOf(cell: ActorCell, graph: DeadlockDetector<TrackedAsk>['graph']): WaitNode {
  let n = WAIT_NODE.get(cell);
  if (n === undefined) WAIT_NODE.set(cell, (n = graph.node(cell.id)));
  return n;
}
const gone = (e: LocalEdge): void => {
  e.state = GONE;
};

export class DeadlockRuntime {
  readonly detector = new DeadlockDetector<LocalEdge>((c) => this.resolve(c));
  private readonly stalls: StallMonitor | null;
  /** The system strategy is `prevent` (definitions may still override it). */
  private readonly prevent: boolean;
  /**
   * Edges made in the synchronous part of the running handler (step 1): one
   * slot for the usual single ask, a list only when a handler asks several
   * times before it awaits.
   */
  private held: LocalEdge | null = null;
  private heldMore: LocalEdge[] | null = null;
  private pendingCell: ActorCell | null = null;
  private pendingMark = 0;
  private chainSeq = 0;
  /**
   * Set by the first reentrant ask (or reentrant options), or once an ask of a chain arrived from
   * another thread (plugin.ts `onRemoteAsk`): from then on asks carry call chains.
   */
  chains: boolean;
  /** Threaded mode: live edges also go to the main thread's detector (forwarder.ts); null in-thread. */
  forwarder: EdgeSink | null = null;

  constructor(
    readonly host: Host,
    readonly options: ResolvedDeadlockOptions,
  ) {
    this.prevent = options.strategy === 'prevent';
    this.chains = options.reentrant;
    this.stalls =
      options.stallMs !== undefined || options.slowHandlerMs !== undefined
        ? new StallMonitor(host, options.stallMs, options.slowHandlerMs)
        : null;
  }

  /**
   * Clock time for edge ages. With the wall clock it is read at most once per
   * microtask batch: on hosts without a fast clock source a read is a system
   * call that costs more than the rest of an edge (measured: ~35% of an
   * ask-heavy workload). Ages may then lag by one batch (≤ the dispatcher's
   * yieldMs); fail-youngest breaks ties by ask id, which keeps the order.
   * An injected clock (SimulatedClock) is read every time, exactly.
   */
  private now(): number {
    const clock = this.host.clock;
    if (clock !== systemClock) return clock.now();
    if (!this.stampValid) {
      this.stampNow = clock.now();
      this.stampValid = true;
      queueMicrotask(this.expire);
    }
    return this.stampNow;
  }
  private stampNow = 0;
  private stampValid = false;
  private readonly expire = (): void => {
    this.stampValid = false;
  };

  strategyOf(def: ActorDefinition): string {
    return def.deadlock?.strategy ?? this.options.strategy;
  }

  /** host.ask once options are validated and the runtime exists. */
  ask<R>(
    ref: ActorRef,
    msg: unknown,
    timeoutMs: number,
    options: AskOptions | undefined,
    sender: ActorRef | undefined,
  ): Promise<R> {
    const host = this.host;
    const from = sender === undefined ? null : cellOf(sender);
    let waits = false;
    let reentrant = this.options.reentrant;
    if (from !== null && from.host === host && from.status === ALIVE) {
      const own = from.def.deadlock;
      if (own !== undefined) {
        if (own.reentrant !== undefined) reentrant = own.reentrant;
      }
      if (own?.strategy === 'prevent' || (this.prevent && own?.strategy === undefined)) {
        const v = hierarchyViolation(host, from, ref);
        if (v !== null) return this.refuse(v, from, ref, msg);
      }
      waits = from.busy || host.current === from;
    }
    if (options?.reentrant !== undefined) reentrant = options.reentrant;
    if (reentrant) this.chains = true;
    // Call chains only matter once something is reentrant; until then asks carry none (chain 0).
    const chain = this.chains ? this.chainOf(from) : 0;
    return new Promise<R>((resolve, reject) => {
      const edge = waits
        ? new TrackedAsk(
            resolve,
            reject,
            host.timers,
            host.nextSeq() * NODE_SPACE + host.node,
            from!,
            ref,
            this.now(),
            reentrant,
            msg,
            this,
          )
        : undefined;
      const a = edge ?? new PendingAsk(resolve, reject, sender, host.timers);
      a.chain = chain;
      a.timer = host.timers.setTimeout(
        () => a.reject(new AskTimeoutError(ref.toJSON(), timeoutMs, messageType(msg))),
        timeoutMs,
      );
      const c = cellOf(ref);
      if (c !== null) c.deliver(msg, a);
      else host.route(ref, msg, a);
      // Reentrancy step 2: the target is blocked but serves this chain.
      if (chain !== 0 && c?.busy && !a.settled && this.detector.graph.reentrantOn(c.id, chain))
        queueMicrotask(() => reenter(c, a));
      if (edge === undefined) return;
      if (a.settled)
        edge.state = GONE; // refused at the door (stopped, full): it never waited
      else if (edge.cell.busy) this.goLive(edge);
      else this.hold(edge);
    });
  }

  /** `prevent`: the ask is refused before it is sent; counted as sent and dead-lettered, like every refusal. */
  private refuse<R>(
    v: Error & { context: object },
    from: ActorCell,
    ref: ActorRef,
    msg: unknown,
  ): Promise<R> {
    const host = this.host;
    host.stats.sent++;
    host.deadLetter(msg, from.ref, 'hierarchy-violation', ref);
    host.emit({
      type: 'hierarchy.violation',
      at: host.clock.now(),
      ...v.context,
      messageType: messageType(msg),
    });
    return Promise.reject(v);
  }

  /** An ask inherits the chain of the ask its asker is handling; anything else starts a chain. */
  private chainOf(from: ActorCell | null): number {
    const meta = from?.context().meta;
    if (meta instanceof AskHandle && meta.chain !== 0) return meta.chain;
    return ++this.chainSeq * NODE_SPACE + this.host.node;
  }

  /** An ask of `a.chain` from another thread was queued at `cell` (plugin.ts `onRemoteAsk`). */
  remoteAsk(cell: ActorCell, a: AskHandle): void {
    // Asks made while handling this one inherit its chain (`chainOf`).
    this.chains = true;
    // Reentrancy step 2: the target is blocked but serves its chain.
    if (cell.busy && !a.settled && this.detector.graph.reentrantOn(cell.id, a.chain))
      queueMicrotask(() => reenter(cell, a));
  }

  private hold(e: LocalEdge): void {
    const mark = this.host.stats.processed;
    if (this.held !== null && (this.pendingCell !== e.cell || this.pendingMark !== mark)) this.release(false);
    this.pendingCell = e.cell;
    this.pendingMark = mark;
    if (this.held === null) this.held = e;
    else (this.heldMore ??= []).push(e);
  }

  /** Held edges go live (their handler awaits) or are dropped (fire-and-forget asks of a handler that did not wait). */
  private release(live: boolean): void {
    const first = this.held!;
    const more = this.heldMore;
    this.held = null;
    this.heldMore = null;
    this.pendingCell = null;
    if (first.state === PENDING) {
      if (live) this.goLive(first);
      else first.state = GONE;
    }
    if (more !== null)
      for (const e of more) {
        if (e.state !== PENDING) continue;
        if (live) this.goLive(e);
        else e.state = GONE;
      }
  }

  private goLive(e: LocalEdge): void {
    e.state = LIVE;
    const graph = this.detector.graph;
    e.fromNode = nodeOf(e.cell, graph);
    const to = cellOf(e.to);
    e.toNode = to !== null ? nodeOf(to, graph) : graph.node(e.to.id);
    // Before the local search: a cycle it resolves at once removes the edge, and that `remove` must follow the `add`.
    this.forwarder?.add(e, this);
    this.detector.add(e, this.strategyOf(e.cell.def) !== 'timeout-only');
    if (e.reentrant && e.state === LIVE)
      for (const h of queuedOfChain(e.cell, e.chain)) queueMicrotask(() => reenter(e.cell, h));
  }

  /** @internal the edge's ask settled (reply, timeout, failure, target stopped). */
  settled(e: LocalEdge): void {
    if (e.state === LIVE) {
      this.detector.remove(e);
      this.forwarder?.remove(e);
    }
    e.state = GONE;
  }

  /** cell.ts: a handler returned a promise — the cell is blocked from now on. */
  onAwait(cell: ActorCell, msg: unknown): void {
    if (this.held !== null)
      this.release(this.pendingCell === cell && this.pendingMark === this.host.stats.processed);
    this.stalls?.onAwait(cell, msg);
  }

  /** cell.ts: the pending handler settled (or was aborted) — the cell waits on nothing now. */
  onHandlerDone(cell: ActorCell): void {
    this.detector.removeFrom(
      cell.id,
      this.forwarder === null ? gone : this.goneForwarded,
      WAIT_NODE.get(cell) ?? null,
    );
    this.stalls?.onDone(cell);
  }

  /** host.ts: the actor stopped. */
  onActorGone(cell: ActorCell): void {
    this.onHandlerDone(cell);
    this.detector.graph.drop(cell.id);
  }

  private readonly goneForwarded = (e: LocalEdge): void => {
    e.state = GONE;
    this.forwarder!.remove(e);
  };

  waitForGraph(): WaitForGraphSnapshot {
    return this.detector.graph.snapshot(this.host.clock.now());
  }

  /** Step 2: picks an action with the closing asker's strategy and applies it. */
  private resolve(cycle: LocalEdge[]): void {
    const t0 = performance.now();
    const host = this.host;
    const now = host.clock.now();
    const closing = cycle[0]!;
    const strategy = this.strategyOf(closing.cell.def);
    const info: DeadlockCycle = {
      actors: cycle.map((e) => ({ ...describe(e.from), priority: e.cell.def.deadlock?.priority ?? 0 })),
      asks: cycle.map((e) => ({
        id: e.id,
        from: describe(e.from),
        to: describe(e.to),
        messageType: e.messageType,
        ageMs: now - e.since,
        chain: e.chain,
      })),
      closing: closing.id,
    };
    host.emit({ type: 'deadlock.detected', at: now, strategy, cycle: info });
    const { action: act, error } = decide(strategy, info);
    const err = new DeadlockError(
      info.asks.map((a) => ({ actor: a.from, waitingForMs: a.ageMs })),
      strategy,
    );
    this.apply(act, cycle, err);
    host.emit({
      type: 'deadlock.resolved',
      at: host.clock.now(),
      strategy,
      action: act,
      cycle: info,
      // From the cycle found to the action applied; the bench measures closing ask → DeadlockError end to end.
      resolveMs: performance.now() - t0,
      ...(error !== undefined ? { error } : {}),
    });
  }

  private apply(action: DeadlockAction, cycle: LocalEdge[], err: DeadlockError): void {
    if (action.type === 'fail-ask') {
      this.failEdge(cycle.find((e) => e.id === action.ask)!, err);
    } else if (action.type === 'restart') {
      this.restartVictim(cycle.find((x) => x.cell.id === action.actor)!, err);
    }
  }

  /** @internal `restart`: fails the victim's wait `e`, aborts its handler and hands it to its supervisor. */
  restartVictim(e: LocalEdge, err: DeadlockError): void {
    const victim = e.cell;
    this.failEdge(e, err);
    if (victim.abandonHandler('deadlock', err)) {
      this.onHandlerDone(victim);
      victim.failed(err, undefined, undefined, 'receive');
    }
  }

  /** @internal Rejects the ask with `err`; its message, if still queued, is dead-lettered `deadlock`. */
  failEdge(e: LocalEdge, err: DeadlockError): void {
    // A ref made while the target lived elsewhere has no cell even once it migrated here (stealing).
    const target = cellOf(e.to) ?? this.host.cells.get(e.to.id);
    if (target !== undefined && target !== null && takeQueued(target, e) !== NOT_FOUND)
      this.host.deadLetter(e.msg, e, 'deadlock', target, err);
    else e.reject(err);
  }
}
