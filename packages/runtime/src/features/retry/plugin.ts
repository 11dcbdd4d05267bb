/**
 * The retry feature as a plugin: message-level retries (protocol in
 * retry.ts) over the kernel's `requeueHead` primitive.
 *
 * 1. A spawn with a retry policy (its own `retry` option, else its
 *    definition's) gets a retry slot: the policy and the attempt of the
 *    message at the mailbox front.
 * 2. When a handler fails on a message, `onMessageFailed` asks the policy:
 *    retried, the message goes back to the front (`cell.requeueHead`, held for
 *    the delay) and no failure follows; otherwise the failure goes on to
 *    dead letters and supervision as usual.
 * 3. The slot moves with the actor: its policy as data (or `true` for the
 *    definition's, which every thread loads) and the attempt in progress.
 */
import type { ActorCell } from '../../kernel/cell.ts';
import { UnserializableError } from '../../kernel/errors.ts';
import { defineSlot } from '../../kernel/ext.ts';
import type { HostPlugin } from '../../kernel/host.ts';
import { type RetryOptions, RetryPolicy, resolveRetry } from './retry.ts';

interface RetryState {
  readonly policy: RetryPolicy;
  /** Attempt number of the message put back at the front (meaningful while it is redelivered). */
  attempt: number;
}

/** A snapshot's form: the policy (`true`: the definition's) and the attempt in progress. */
type RetryData = readonly [true | RetryOptions, number];

const RETRY = defineSlot<RetryState>('retry', {
  encode(st, owner): RetryData {
    if (st.policy === owner.def.retry) return [true, st.attempt]; // every thread loads the definition
    const data = st.policy.toData();
    if (data === undefined)
      throw new UnserializableError(
        'retry options',
        'retry',
        'function (retryOn or backoff.random)',
        owner.desc,
      );
    return [data, st.attempt];
  },
  decode(data, owner) {
    const [p, attempt] = data as RetryData;
    const policy = p === true ? owner.def.retry : resolveRetry(p, `${owner.def.name}.retry`);
    return policy instanceof RetryPolicy ? { policy, attempt } : undefined;
  },
});

/** The retry policy `cell` runs under, or undefined (tests, introspection). */
export function retryPolicyOf(cell: ActorCell): RetryPolicy | undefined {
  return RETRY.get(cell)?.policy;
}

function onMessageFailed(
  cell: ActorCell,
  error: unknown,
  msg: unknown,
  meta: unknown,
  redelivered: boolean,
): boolean {
  const st = RETRY.get(cell);
  if (st === undefined) return false;
  const attempt = redelivered ? st.attempt : 0;
  const delayMs = st.policy.next(error, attempt);
  if (delayMs < 0) return false;
  st.attempt = attempt + 1;
  cell.requeueHead(msg, meta, delayMs);
  const host = cell.host;
  host.emit({
    type: 'actor.message-retried',
    at: host.clock.now(),
    actor: cell.desc,
    messageType: host.typeOf(msg),
    attempt: attempt + 1,
    delayMs,
    error,
  });
  return true;
}

export const retryPlugin: HostPlugin = {
  name: 'retry',
  install(api) {
    api.onSpawn((cell, spawn) => {
      const policy = (spawn.ext?.retry as RetryPolicy | undefined) ?? cell.def.retry;
      if (policy instanceof RetryPolicy) RETRY.set(cell, { policy, attempt: 0 });
    });
    api.onMessageFailed(onMessageFailed);
  },
};
