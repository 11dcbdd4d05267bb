/**
 * Call-chain reentrancy (Orleans-style): while an actor awaits a reentrant
 * ask, it may handle messages of the same call chain — typically the callee
 * asking back — instead of deadlocking on them.
 *
 * A call chain is an id carried by asks only (tells carry nothing, so the tell
 * path costs the same): an ask made while handling an ask inherits that ask's
 * chain; any other ask starts a new one.
 *
 * Protocol:
 * 1. Actor A, handling a message of chain c, asks B with `reentrant: true`
 *    and awaits: A's edge `A → B` is marked reentrant with chain c.
 * 2. An ask of chain c delivered to A while A is blocked, or already queued
 *    when A's wait began, is taken out of A's mailbox on the next microtask
 *    and handled at once, with its own context (so its `ctx.reply` answers
 *    it, not A's outer message).
 * 3. Such an ask's edge into A does not block (wait-for-graph.ts invariant 2),
 *    so the cycle it would form is not a deadlock.
 *
 * State: the reentrant handler reads and replaces the actor's current state;
 * when A's outer handler returns, the state it returns replaces that. Keep
 * reentrant handlers to reads or to state the outer handler re-reads.
 */
import { AskHandle } from '../../kernel/ask.ts';
import { type ActorCell, ALIVE } from '../../kernel/cell.ts';
import { Context } from '../../kernel/context.ts';
import { ActorFailedError } from '../../kernel/errors.ts';

/** Removes the queued pair whose meta is `meta`; returns its message, or `NOT_FOUND`. */
export function takeQueued(cell: ActorCell, meta: unknown): unknown {
  const mb = cell.mailbox;
  if (mb.length === 0) return NOT_FOUND;
  const items = mb.toArray();
  const i = items.findIndex((p) => p[1] === meta);
  if (i < 0) return NOT_FOUND;
  mb.clear();
  for (let k = 0; k < items.length; k++) if (k !== i) mb.push(items[k]![0], items[k]![1]);
  return items[i]![0];
}

export const NOT_FOUND: unique symbol = Symbol('not-found');

/** Same-chain asks already queued for `cell` (step 2, when its reentrant wait begins). */
export function queuedOfChain(cell: ActorCell, chain: number): AskHandle[] {
  const out: AskHandle[] = [];
  if (cell.mailbox.length === 0) return out;
  for (const [, meta] of cell.mailbox.toArray())
    if (meta instanceof AskHandle && meta.chain === chain) out.push(meta);
  return out;
}

/** Step 2: handles the queued ask `handle` now, if `cell` is still blocked. */
export function reenter(cell: ActorCell, handle: AskHandle): void {
  if (cell.status !== ALIVE || !cell.busy || handle.settled) return;
  const msg = takeQueued(cell, handle);
  if (msg === NOT_FOUND) return;
  const host = cell.host;
  const ctx = new Context(cell);
  ctx.begin(handle);
  const prev = host.current;
  host.current = cell;
  let r: unknown;
  try {
    r = cell.behavior.receive(cell.state, msg, ctx);
  } catch (e) {
    host.current = prev;
    failed(cell, e, msg, handle);
    return;
  }
  host.current = prev;
  if (r instanceof Promise) {
    r.then(
      (s) => {
        if (cell.status === ALIVE) cell.state = s;
        host.stats.processed++;
      },
      (e) => failed(cell, e, msg, handle),
    );
    return;
  }
  cell.state = r;
  host.stats.processed++;
}

/**
 * A reentrant handler threw: the message is dead-lettered `failed` and the
 * failure reported, but the actor is not restarted under its blocked outer
 * handler — that handler's own outcome decides.
 */
function failed(cell: ActorCell, error: unknown, msg: unknown, handle: AskHandle): void {
  const host = cell.host;
  host.deadLetter(msg, handle, 'failed', cell, new ActorFailedError(cell.desc, error));
  host.emit({
    type: 'actor.failed',
    at: host.clock.now(),
    actor: cell.desc,
    error,
    phase: 'receive',
    messageType: host.typeOf(msg),
  });
}
