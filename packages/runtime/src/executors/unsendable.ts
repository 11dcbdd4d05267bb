/**
 * A batch that failed to encode, taken apart (transport.ts step 2): the
 * portability check ran when each value was sent, so a batch fails only when
 * a value changed since (a getter, a proxy) or hit a limit the check could
 * not see. One bad message must not take the others along:
 * 1. each frame is encoded on its own; a message that encodes stays, in its
 *    place (a W_TELLS run keeps those of its messages that encode), and so
 *    do the batch's ref definitions;
 * 2. a message that does not encode is dead-lettered `unserializable`, an
 *    ask rejecting with an UnserializableError that says why;
 * 3. a reply that does not encode rejects its ask the same way; a report
 *    (event, dead letter) crosses with what does not encode described;
 * 4. what stays leaves as one batch. Should it fail again (a value changed
 *    once more), all of it is accounted as in 2 and its ref definitions are
 *    forgotten, so they are sent again before their next use.
 * A `system.batch-unencodable` event reports each such batch.
 */
import { encode, W_DEF, W_FRAME, W_RESET, W_ROUTE, W_TELL, W_TELL_FWD, W_TELLS } from '@troupe/scheduler';
import { formatValue, UnserializableError } from '../kernel/errors.ts';
import type { Host } from '../kernel/host.ts';
import type { ActorRef } from '../kernel/ref.ts';
import type { Item } from './items.ts';

/** What the link lends to take one of its batches apart (defined here: the link imports this file). */
export interface BatchOwner {
  /** The link itself; only its host is read. */
  readonly link: { readonly host: Host };
  /** F_SETTLE: a reply frame. */
  readonly settleCode: number;
  /** Refs defined on the channel to `node`, as this side defined them. */
  known(node: number): Map<number, ActorRef>;
  /** The item of the W_ROUTE frame at t[i]. */
  item(t: unknown[], i: number, known: Map<number, ActorRef>): Item;
  tell(id: number, msg: unknown, senderId: number, known: Map<number, ActorRef>): Item;
  /** Dead-letters `item` as `unserializable`; an ask rejects with `error`. */
  dead(item: Item, error: unknown): void;
  /** Encodes and posts tokens as one batch: undefined, or the encoding error. */
  post(node: number, tokens: unknown[]): unknown;
}

const couldNot = (e: unknown): string => `value msgpackr could not encode (${formatValue(e)})`;

const refused = (e: unknown): UnserializableError =>
  new UnserializableError('a message', 'message', couldNot(e));

/** Steps 1–4 for the batch `t` to `node` that failed with `error`. */
export function resendBatch(owner: BatchOwner, node: number, t: unknown[], error: unknown): void {
  const known = owner.known(node);
  const keep: unknown[] = [];
  let i = 0;
  while (i < t.length) {
    const code = t[i];
    if (code === W_DEF) {
      keep.push(code, t[i + 1], t[i + 2], t[i + 3]);
      i += 4;
    } else if (code === W_RESET) {
      keep.push(code);
      i += 1;
    } else if (code === W_TELL || code === W_TELL_FWD) {
      const e = unencodable(t[i + 2]);
      if (e === undefined) keep.push(code, t[i + 1], t[i + 2], t[i + 3]);
      else owner.dead(owner.tell(t[i + 1] as number, t[i + 2], t[i + 3] as number, known), refused(e));
      i += 4;
    } else if (code === W_TELLS) {
      const end = i + 4 + (t[i + 3] as number);
      const good: unknown[] = [];
      for (let j = i + 4; j < end; j++) {
        const e = unencodable(t[j]);
        if (e === undefined) good.push(t[j]);
        else owner.dead(owner.tell(t[i + 1] as number, t[j], t[i + 2] as number, known), refused(e));
      }
      if (good.length > 0) keep.push(W_TELLS, t[i + 1], t[i + 2], good.length, ...good);
      i = end;
    } else if (code === W_ROUTE) {
      const e = unencodable([t[i + 4], t[i + 6]]);
      if (e === undefined) for (let j = i; j < i + 7; j++) keep.push(t[j]);
      else owner.dead(owner.item(t, i, known), refused(e));
      i += 7;
    } else {
      const f = repairFrame(owner, t[i + 1] as unknown[]);
      if (f !== null) keep.push(W_FRAME, f);
      i += 2;
    }
  }
  const again = owner.post(node, keep);
  if (again !== undefined) lost(owner, node, keep, again);
  const host = owner.link.host;
  host.emit({
    type: 'system.batch-unencodable',
    at: host.clock.now(),
    node: host.node,
    to: node,
    error: formatValue(error),
    resent: again === undefined,
  });
}

/** Step 3: a frame as it can still cross, or null (with an event) when nothing of it can. */
function repairFrame(owner: BatchOwner, f: unknown[]): unknown[] | null {
  const e = unencodable(f);
  if (e === undefined) return f;
  const why = couldNot(e);
  const fixed =
    f[0] === owner.settleCode
      ? [f[0], f[1], false, new UnserializableError('a reply', 'reply', why)]
      : f.map((x, i) => (i === 0 ? x : described(x, why)));
  if (unencodable(fixed) === undefined) return fixed;
  frameLost(owner, f[0], why);
  return null;
}

/** Step 4's second failure: every message dead-lettered, every frame reported, every definition forgotten. */
function lost(owner: BatchOwner, node: number, t: unknown[], error: unknown): void {
  const known = owner.known(node);
  const why = refused(error);
  const undefine: number[] = [];
  let i = 0;
  while (i < t.length) {
    const code = t[i];
    if (code === W_DEF) {
      undefine.push(t[i + 1] as number);
      i += 4;
    } else if (code === W_RESET) {
      i += 1;
    } else if (code === W_TELL || code === W_TELL_FWD) {
      owner.dead(owner.tell(t[i + 1] as number, t[i + 2], t[i + 3] as number, known), why);
      i += 4;
    } else if (code === W_TELLS) {
      const end = i + 4 + (t[i + 3] as number);
      for (let j = i + 4; j < end; j++)
        owner.dead(owner.tell(t[i + 1] as number, t[j], t[i + 2] as number, known), why);
      i = end;
    } else if (code === W_ROUTE) {
      owner.dead(owner.item(t, i, known), why);
      i += 7;
    } else {
      frameLost(owner, (t[i + 1] as unknown[])[0], why.message);
      i += 2;
    }
  }
  for (const id of undefine) known.delete(id);
}

function frameLost(owner: BatchOwner, frame: unknown, error: string): void {
  const host = owner.link.host;
  host.emit({ type: 'system.frame-unsendable', at: host.clock.now(), node: host.node, frame, error });
}

/** The error encoding `v` throws, or undefined when it encodes. */
function unencodable(v: unknown): unknown {
  try {
    encode(v);
    return undefined;
  } catch (e) {
    return e ?? new Error('msgpackr threw a nullish value');
  }
}

/** A report's part as it can cross: itself, or with each of its fields that does not encode described. */
function described(x: unknown, why: string): unknown {
  if (unencodable(x) === undefined) return x;
  if (x === null || typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype)
    return `[unserializable: ${why}]`;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(x)) {
    const v = (x as Record<string, unknown>)[k];
    out[k] = unencodable(v) === undefined ? v : `[unserializable: ${why}]`;
  }
  return out;
}
