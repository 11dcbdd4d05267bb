/**
 * Executor side of cross-executor deadlock detection (protocol in
 * detector.ts): forwards this host's live wait-for edges to the main thread's
 * GlobalDeadlockDetector (global.ts), answers its confirmations and applies
 * the action it decides.
 *
 * Invariants:
 * 1. Only live edges are forwarded, each `add` before its `remove` (one FIFO
 *    channel to the main thread; the buffer flushes once per microtask).
 * 2. `live` holds exactly the forwarded edges whose `remove` is not sent yet.
 * 3. A confirmation is answered after the buffer is flushed, so every
 *    `remove` of an edge reported dead reaches the main thread before the
 *    answer does.
 * 4. An action for an ask that is no longer live is dropped: the cycle was
 *    already broken (a stale edge costs a detection, never a wrong rejection).
 */
import type { ActorCell } from '../cell.ts';
import { type DeadlockCycleEntry, DeadlockError } from '../errors.ts';
import type { Host } from '../host.ts';
import { RemoteAsk } from '../remote-ask.ts';
import { NOT_FOUND, takeQueued } from './reentrancy.ts';
import { type DeadlockRuntime, LIVE, type TrackedAsk } from './runtime.ts';
import type { DeadlockAction } from './strategies.ts';

/** Tokens of one forwarded `add` (global.ts decodes them in this order). */
export const ADD_TOKENS = 14;
export const OP_REMOVE = 0;
export const OP_ADD = 1;

const wallNow = (): number => performance.timeOrigin + performance.now();

export class EdgeForwarder {
  readonly live = new Map<number, TrackedAsk>();
  private buf: unknown[] = [];
  private armed = false;

  /**
   * `send(tokens)` posts one F_DL_EDGES frame to the main thread;
   * `withdraw(e)` has the remote target drop `e`'s message if still queued.
   */
  constructor(
    private readonly send: (tokens: unknown[]) => void,
    private readonly withdraw: (e: TrackedAsk) => void,
  ) {}

  add(e: TrackedAsk, rt: DeadlockRuntime): void {
    this.live.set(e.id, e);
    const from = e.from;
    const to = e.to;
    const def = e.cell.def;
    this.push(
      OP_ADD,
      e.id,
      from.id,
      from.name ?? null,
      from.def,
      to.id,
      to.name ?? null,
      to.def,
      // Wall time in µs resolution: orders waits of different threads (which one closed the cycle, the youngest).
      wallNow(),
      e.chain,
      e.reentrant ? 1 : 0,
      e.messageType,
      rt.strategyOf(def),
      def.deadlock?.priority ?? 0,
    );
  }

  remove(e: TrackedAsk): void {
    if (this.live.delete(e.id)) this.push(OP_REMOVE, e.id);
  }

  private push(...tokens: unknown[]): void {
    for (const t of tokens) this.buf.push(t);
    if (!this.armed) {
      this.armed = true;
      queueMicrotask(this.flush);
    }
  }

  readonly flush = (): void => {
    this.armed = false;
    if (this.buf.length === 0) return;
    const b = this.buf;
    this.buf = [];
    this.send(b);
  };

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
    if (action.type === 'fail-ask') rt.failEdge(e, err);
    else if (action.type === 'restart') rt.restartVictim(e, err);
    // As in-thread, the failed ask's message must not be handled later: it would start the same cycle again.
    if (e.to.cell === null) this.withdraw(e);
    return true;
  }
}

/**
 * On the target's host: dead-letters (`deadlock`) the queued ask exported by
 * `node` as `askId`. Not queued any more (handled, or handled reentrantly): nothing to do.
 */
export function withdrawQueued(host: Host, cell: ActorCell, node: number, askId: number): void {
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
  if (msg !== NOT_FOUND) host.deadLetter(msg, meta, 'deadlock', cell);
}
