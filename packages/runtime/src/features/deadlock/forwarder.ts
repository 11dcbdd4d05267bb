/**
 * Executor side of cross-executor deadlock detection (protocol in
 * detector.ts): forwards this host's live wait-for edges to the main thread's
 * GlobalDeadlockDetector (global.ts), answers its confirmations and applies
 * the action it decides.
 *
 * Invariants:
 * 1. Only live edges are forwarded, each `add` before its `remove` (one FIFO
 *    channel to the main thread). An edge removed before it was sent is
 *    never sent at all (FORWARD_DELAY_MS).
 * 2. `live` holds exactly the sent edges whose `remove` is not sent yet.
 * 3. A confirmation is answered after the buffer is flushed, so every
 *    `remove` of an edge reported dead reaches the main thread before the
 *    answer does.
 * 4. An action for an ask that is no longer live is dropped: the cycle was
 *    already broken (a stale edge costs a detection, never a wrong rejection).
 * 5. The failed ask's message, queued at a remote target, is withdrawn before
 *    the ask fails: the target's executor acknowledges on the channel the
 *    message came by, so the target cannot be unblocked by the failure's
 *    consequences before its copy of the message is gone.
 */
import { OP_ACTOR, OP_ADD, OP_REMOVE, OP_RESET, OP_STRING, wallNow } from '@troupe/scheduler';
import type { ActorCell } from '../../kernel/cell.ts';
import type { CellHost } from '../../kernel/cell-host.ts';
import { type DeadlockCycleEntry, DeadlockError } from '../../kernel/errors.ts';
import { RemoteAsk } from '../../kernel/remote-ask.ts';
import { NOT_FOUND, takeQueued } from './reentrancy.ts';
import { type DeadlockRuntime, type EdgeSink, LIVE, type TrackedAsk } from './runtime.ts';
import type { DeadlockAction } from './strategies.ts';

/**
 * Wire records (global.ts decodes them; the OP_* codes are in the scheduler's
 * code space, codes.ts), one flat token array per flush:
 * - [OP_REMOVE, askId]
 * - [OP_ADD, askId, fromId, toId, at, chain, reentrant, messageType#, strategy#, priority]
 * - [OP_ACTOR, id, name | null, def] — before the first edge naming the actor;
 * - [OP_STRING, #, text] — before the first record using string number #;
 * - [OP_RESET] — the tables above start over (they are capped).
 * Strings and actor descriptions cross once: they were half of the cost.
 */
export const ADD_TOKENS = 10;
/** Entries in the actor and string tables before they start over. */
const TABLE_CAP = 50_000;

/**
 * How long a new edge waits before it is sent, ms. Most cross-thread asks
 * are answered sooner: their `add` and `remove` cancel out here and cost the
 * main thread nothing (measured: forwarding every edge slowed acyclic
 * cross-executor ask traffic by ~38%). A cycle waits on nothing, so this only
 * adds to the detection latency.
 */
export const FORWARD_DELAY_MS = 1;

export class EdgeForwarder implements EdgeSink {
  /** Edges sent and not yet removed (invariant 2). */
  readonly live = new Map<number, TrackedAsk>();
  /** Edges not sent yet, with the wall time they went live. */
  private readonly pending = new Map<TrackedAsk, number>();
  private removes: number[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private rt: DeadlockRuntime | null = null;
  private readonly actors = new Set<number>();
  private readonly strings = new Map<string, number>();

  /**
   * `send(tokens)` posts one F_DL_EDGES frame to the main thread;
   * `withdraw(e, done)` has the remote target drop `e`'s message if still queued, then calls `done`
   * once the target's executor acknowledged (or the target is gone).
   */
  constructor(
    private readonly send: (tokens: unknown[]) => void,
    private readonly withdraw: (e: TrackedAsk, done: () => void) => void,
  ) {}

  add(e: TrackedAsk, rt: DeadlockRuntime): void {
    this.rt = rt;
    // Wall time in µs resolution: orders waits of different threads (which one closed the cycle, the youngest).
    this.pending.set(e, wallNow());
    this.arm();
  }

  remove(e: TrackedAsk): void {
    if (this.pending.delete(e)) return; // never sent: nothing to undo
    if (this.live.delete(e.id)) {
      this.removes.push(e.id);
      this.arm();
    }
  }

  private arm(): void {
    if (this.timer === null) {
      this.timer = setTimeout(this.flush, FORWARD_DELAY_MS);
      this.timer.unref?.();
    }
  }

  readonly flush = (): void => {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0 && this.removes.length === 0) return;
    const b: unknown[] = [];
    for (const id of this.removes) b.push(OP_REMOVE, id);
    this.removes = [];
    const rt = this.rt!;
    if (this.actors.size > TABLE_CAP || this.strings.size > TABLE_CAP) {
      this.actors.clear();
      this.strings.clear();
      b.push(OP_RESET);
    }
    for (const [e, at] of this.pending) {
      this.live.set(e.id, e);
      const from = e.from;
      const to = e.to;
      const def = e.cell.def;
      if (!this.actors.has(from.id)) {
        this.actors.add(from.id);
        b.push(OP_ACTOR, from.id, from.name ?? null, from.def);
      }
      if (!this.actors.has(to.id)) {
        this.actors.add(to.id);
        b.push(OP_ACTOR, to.id, to.name ?? null, to.def);
      }
      const type = this.string(e.messageType, b);
      const strategy = this.string(rt.strategyOf(def), b);
      b.push(
        OP_ADD,
        e.id,
        from.id,
        to.id,
        at,
        e.chain,
        e.reentrant ? 1 : 0,
        type,
        strategy,
        def.deadlock?.priority ?? 0,
      );
    }
    this.pending.clear();
    this.send(b);
  };

  private string(text: string, b: unknown[]): number {
    let n = this.strings.get(text);
    if (n === undefined) {
      n = this.strings.size;
      this.strings.set(text, n);
      b.push(OP_STRING, n, text);
    }
    return n;
  }

  /** Step 4 of the cross-executor protocol, first half: are these edges all still live here? */
  confirm(ids: readonly number[]): boolean {
    this.flush();
    return ids.every((id) => this.live.get(id)?.state === LIVE);
  }

  /** Applies the main thread's action; false when it came too late (invariant 4). */
  act(
    rt: DeadlockRuntime,
    action: DeadlockAction,
    edgeId: number,
    cycle: readonly DeadlockCycleEntry[],
    strategy: string,
  ): boolean {
    const e = this.live.get(edgeId);
    if (e === undefined || e.state !== LIVE) return false;
    const err = new DeadlockError(cycle, strategy);
    const apply = (): void => {
      if (e.state !== LIVE) return; // answered or timed out meanwhile: the cycle is broken already
      if (action.type === 'fail-ask') rt.failEdge(e, err);
      else if (action.type === 'restart') rt.restartVictim(e, err);
    };
    // As in-thread, the failed ask's message must not be handled later: it would start the same cycle
    // again. A target that lives here now is handled by failEdge. A remote target's executor withdraws
    // it first, and only its acknowledgement fails the ask: failing first let the unwinding replies
    // (over other executors' channels) unblock the target before the withdrawal arrived, and it
    // handled the message — the same cycle, again and again.
    if (e.to.cell === null && !rt.host.cells.has(e.to.id)) this.withdraw(e, apply);
    else apply();
    return true;
  }
}

/**
 * On the target's host: dead-letters (`deadlock`) the queued ask exported by
 * `node` as `askId`. Not queued any more (handled, or handled reentrantly): nothing to do.
 */
export function withdrawQueued(
  host: CellHost<ActorCell>,
  cell: ActorCell,
  node: number,
  askId: number,
): void {
  const mb = cell.mailbox;
  if (mb.length === 0) return;
  let meta: RemoteAsk | undefined;
  for (const [, m] of mb.toArray())
    if (m instanceof RemoteAsk && m.node === node && m.askId === askId) {
      meta = m;
      break;
    }
  if (meta === undefined) return;
  const msg = takeQueued(cell, meta);
  // The asker fails the ask itself, with the DeadlockError, once this withdrawal is acknowledged.
  if (msg !== NOT_FOUND) host.deadLetter(msg, meta.sender, 'deadlock', cell);
}
