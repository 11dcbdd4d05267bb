/**
 * DeadlockRuntime: one per host, created only when something needs it (a
 * strategy other than `timeout-only`, a stall threshold, reentrancy, or a
 * definition with deadlock options). While it is absent, asks take the plain
 * path in host.ts and handlers pay nothing.
 *
 * Edge life cycle (detector.ts has the detection protocol):
 * 1. `ask` from an actor creates the edge `asker → target`. If the asker is
 *    already blocked (an ask after an `await`), the edge goes live at once.
 *    If the ask is made in the synchronous part of a handler, the edge waits
 *    in `pending`: it goes live in `onAwait`, when that handler returns its
 *    promise — a handler that returns synchronously never waited, and its
 *    pending edges are dropped (recognised by the `processed` counter having
 *    moved on).
 * 2. A live edge is added to the detector; if it closes a cycle and the
 *    asker's strategy detects, `resolve` runs synchronously.
 * 3. The edge leaves on the ask's settle (reply, timeout, failure, stop of the
 *    target), when the asker's handler finishes (`onHandlerDone`) and when
 *    the asker stops (`onActorGone`).
 */
import { AskHandle, PendingAsk } from '../ask.ts';
import { type ActorCell, ALIVE } from '../cell.ts';
import type { ActorDefinition } from '../definition.ts';
import { AskTimeoutError, ConfigError, DeadlockError } from '../errors.ts';
import { messageType } from '../events.ts';
import { type Host, NODE_SPACE } from '../host.ts';
import type { ActorRef, AskOptions } from '../ref.ts';
import { DeadlockDetector } from './detector.ts';
import { hierarchyViolation } from './hierarchy.ts';
import type { ResolvedDeadlockOptions } from './options.ts';
import { NOT_FOUND, queuedOfChain, reenter, takeQueued } from './reentrancy.ts';
import { StallMonitor } from './stall-monitor.ts';
import { type DeadlockAction, type DeadlockCycle, strategyFn, validAction } from './strategies.ts';
import type { WaitEdge, WaitForGraphSnapshot } from './wait-for-graph.ts';

const PENDING = 0;
const LIVE = 1;
const GONE = 2;

interface LocalEdge extends WaitEdge {
  readonly ask: PendingAsk;
  readonly msg: unknown;
  readonly cell: ActorCell;
  readonly target: ActorRef;
  state: number;
}

export class DeadlockRuntime {
  readonly detector = new DeadlockDetector<LocalEdge>((c) => this.resolve(c));
  private readonly stalls: StallMonitor | null;
  /** Edges made in the synchronous part of the running handler (step 1). */
  private pending: LocalEdge[] = [];
  private pendingCell: ActorCell | null = null;
  private pendingMark = 0;
  private chainSeq = 0;
  private askSeq = 0;
  /** performance.now() when the edge being added went live (latency of the resolution). */
  private liveAt = 0;

  constructor(
    readonly host: Host,
    readonly options: ResolvedDeadlockOptions,
  ) {
    this.stalls =
      options.stallMs !== undefined || options.slowHandlerMs !== undefined
        ? new StallMonitor(host, options.stallMs, options.slowHandlerMs)
        : null;
  }

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
    const from = sender === undefined ? null : sender.cell;
    let waits = false;
    if (from !== null && from.host === host && from.status === ALIVE) {
      if (this.strategyOf(from.def) === 'prevent') {
        const v = hierarchyViolation(host, from, ref);
        if (v !== null) {
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
      }
      waits = from.busy || host.current === from;
    }
    const chain = this.chainOf(from);
    const reentrant =
      options?.reentrant ??
      (from !== null ? from.def.deadlock?.reentrant : undefined) ??
      this.options.reentrant;
    return new Promise<R>((resolve, reject) => {
      let edge: LocalEdge | undefined;
      const a = new PendingAsk(
        resolve,
        reject,
        sender,
        host.clock,
        waits ? () => this.settled(edge!) : undefined,
      );
      a.chain = chain;
      a.timer = host.clock.setTimeout(
        () => a.reject(new AskTimeoutError(ref.toJSON(), timeoutMs, messageType(msg))),
        timeoutMs,
      );
      if (waits) {
        const cell = from!;
        edge = {
          id: ++this.askSeq * NODE_SPACE + host.node,
          from: cell.desc,
          to: ref.toJSON(),
          since: host.clock.now(),
          chain,
          reentrant,
          messageType: messageType(msg),
          ask: a,
          msg,
          cell,
          target: ref,
          state: PENDING,
        };
      }
      const c = ref.cell;
      if (c !== null) c.deliver(msg, a);
      else host.route(ref, msg, a);
      // Reentrancy step 2: the target is blocked but serves this chain.
      if (c?.busy && !a.settled && this.detector.graph.reentrantOn(c.id, chain))
        queueMicrotask(() => reenter(c, a));
      if (edge === undefined || edge.state === GONE) return;
      if (edge.cell.busy) this.goLive(edge);
      else this.hold(edge);
    });
  }

  /** An ask inherits the chain of the ask its asker is handling; anything else starts a chain. */
  private chainOf(from: ActorCell | null): number {
    const meta = from?.context().meta;
    if (meta instanceof AskHandle && meta.chain !== 0) return meta.chain;
    return ++this.chainSeq * NODE_SPACE + this.host.node;
  }

  private hold(e: LocalEdge): void {
    const mark = this.host.stats.processed;
    if (this.pendingCell !== e.cell || this.pendingMark !== mark) {
      for (const p of this.pending) p.state = GONE; // fire-and-forget asks of a handler that did not wait
      this.pending = [];
      this.pendingCell = e.cell;
      this.pendingMark = mark;
    }
    this.pending.push(e);
  }

  private goLive(e: LocalEdge): void {
    e.state = LIVE;
    this.liveAt = performance.now();
    this.detector.add(e, this.strategyOf(e.cell.def) !== 'timeout-only');
    if (e.reentrant && e.state === LIVE)
      for (const h of queuedOfChain(e.cell, e.chain)) queueMicrotask(() => reenter(e.cell, h));
  }

  private settled(e: LocalEdge): void {
    if (e.state === LIVE) this.detector.remove(e);
    e.state = GONE;
  }

  /** cell.ts: a handler returned a promise — the cell is blocked from now on. */
  onAwait(cell: ActorCell, msg: unknown): void {
    if (this.pending.length > 0) {
      const list = this.pending;
      const mine = this.pendingCell === cell && this.pendingMark === this.host.stats.processed;
      this.pending = [];
      this.pendingCell = null;
      for (const e of list) {
        if (e.state !== PENDING) continue;
        if (mine) this.goLive(e);
        else e.state = GONE;
      }
    }
    this.stalls?.onAwait(cell, msg);
  }

  /** cell.ts: the pending handler settled (or was aborted) — the cell waits on nothing now. */
  onHandlerDone(cell: ActorCell): void {
    for (const e of this.detector.removeFrom(cell.id)) e.state = GONE;
    this.stalls?.onDone(cell);
  }

  /** host.ts: the actor stopped. */
  onActorGone(cell: ActorCell): void {
    this.onHandlerDone(cell);
  }

  waitForGraph(): WaitForGraphSnapshot {
    return this.detector.graph.snapshot(this.host.clock.now());
  }

  /** Step 2: picks an action with the closing asker's strategy and applies it. */
  private resolve(cycle: LocalEdge[]): void {
    const host = this.host;
    const now = host.clock.now();
    const closing = cycle[0]!;
    const strategy = this.strategyOf(closing.cell.def);
    const info: DeadlockCycle = {
      actors: cycle.map((e) => ({ ...e.from, priority: e.cell.def.deadlock?.priority ?? 0 })),
      asks: cycle.map((e) => ({
        id: e.id,
        from: e.from,
        to: e.to,
        messageType: e.messageType,
        ageMs: now - e.since,
        chain: e.chain,
      })),
      closing: closing.id,
    };
    host.emit({ type: 'deadlock.detected', at: now, strategy, cycle: info });
    let action: unknown;
    let error: unknown;
    try {
      action = strategyFn(strategy)!(info);
    } catch (e) {
      error = e;
    }
    if (!validAction(action, info)) {
      // A broken custom strategy must not leave the cycle in place: fall back to fail-ask, and say so.
      error ??= new ConfigError(
        `deadlock strategy "${strategy}"`,
        'an action naming an ask or actor of the cycle',
        action,
      );
      action = { type: 'fail-ask', ask: closing.id };
    }
    const act = action as DeadlockAction;
    const err = new DeadlockError(
      cycle.map((e, i) => ({ actor: e.from, waitingForMs: info.asks[i]!.ageMs })),
      strategy,
    );
    this.apply(act, cycle, err);
    host.emit({
      type: 'deadlock.resolved',
      at: host.clock.now(),
      strategy,
      action: act,
      cycle: info,
      latencyMs: performance.now() - this.liveAt,
      ...(error !== undefined ? { error } : {}),
    });
  }

  private apply(action: DeadlockAction, cycle: LocalEdge[], err: DeadlockError): void {
    if (action.type === 'fail-ask') {
      this.failEdge(cycle.find((e) => e.id === action.ask)!, err);
    } else if (action.type === 'restart') {
      const e = cycle.find((x) => x.cell.id === action.actor)!;
      const victim = e.cell;
      this.failEdge(e, err);
      if (victim.abortHandler('deadlock', err)) {
        this.onHandlerDone(victim);
        victim.failed(err, undefined, undefined, 'receive');
      }
    }
  }

  /** Rejects the ask with `err`; its message, if still queued, is dead-lettered `deadlock`. */
  private failEdge(e: LocalEdge, err: DeadlockError): void {
    const target = e.target.cell;
    if (target !== null && takeQueued(target, e.ask) !== NOT_FOUND)
      this.host.deadLetter(e.msg, e.ask, 'deadlock', target, err);
    else e.ask.reject(err);
  }
}
