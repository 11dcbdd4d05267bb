/**
 * Savina Banking, with asks: a teller sends T transfers to random source
 * accounts; the source debits itself, asks the destination to credit the
 * amount, and when that ask resolves tells the teller the transfer is done.
 *
 * Why the source does not `await` inside its handler: an account that waits
 * for another account while that one waits for it would deadlock (A→B and
 * B→A in flight together is near-certain with 50,000 transfers). The ask's
 * continuation only sends (Akka's ask + pipeTo), so the account keeps taking
 * messages while its asks are pending.
 */
import { type ActorRef, defineActor, type PendingReply } from '@troupe/runtime';
import { answerOrDefer, answerWaiting } from './common.actors.ts';
import { minstd } from './compute.ts';

export const OK = Object.freeze({ type: 'ok' as const });
export const DONE = Object.freeze({ type: 'done' as const });

export type AccountMsg =
  | { readonly type: 'transfer'; readonly to: ActorRef<AccountMsg>; readonly amount: number }
  | { readonly type: 'credit'; readonly amount: number }
  | { readonly type: 'balance' };

export const Account = defineActor('bench.banking.account', {
  init: (props: { balance: number }) => ({ balance: props.balance }),
  receive(s, msg: AccountMsg, ctx) {
    switch (msg.type) {
      case 'transfer': {
        s.balance -= msg.amount;
        const teller = ctx.sender!;
        ctx.ask(msg.to, { type: 'credit', amount: msg.amount }, { timeoutMs: 600_000 }).then(
          () => ctx.tell(teller, DONE),
          (e: unknown) => ctx.tell(teller, { type: 'failed', error: String(e) }),
        );
        break;
      }
      case 'credit':
        s.balance += msg.amount;
        ctx.reply(OK);
        break;
      case 'balance':
        ctx.reply(s.balance);
        break;
    }
    return s;
  },
});

/** The transfers, identical for every run and for the check: [from, to, amount] triples. */
export function transfers(accounts: number, n: number): Int32Array {
  const out = new Int32Array(3 * n);
  let seed = 42;
  for (let i = 0; i < n; i++) {
    seed = minstd(seed);
    const from = seed % accounts;
    seed = minstd(seed);
    let to = seed % accounts;
    if (to === from) to = (to + 1) % accounts;
    seed = minstd(seed);
    out[3 * i] = from;
    out[3 * i + 1] = to;
    out[3 * i + 2] = (seed % 1000) + 1;
  }
  return out;
}

export type TellerMsg =
  | { readonly type: 'start'; readonly accounts: ActorRef<AccountMsg>[]; readonly n: number }
  | typeof DONE
  | { readonly type: 'failed'; readonly error: string }
  | { readonly type: 'result' };

export const Teller = defineActor('bench.banking.teller', {
  init: () => ({ n: 0, done: 0, failed: 0, waiting: [] as PendingReply[] }),
  receive(s, msg: TellerMsg, ctx) {
    switch (msg.type) {
      case 'done':
      case 'failed':
        if (msg.type === 'done') s.done++;
        else s.failed++;
        if (s.done + s.failed === s.n) answerWaiting(ctx, s.waiting, { done: s.done, failed: s.failed });
        break;
      case 'start': {
        s.n = msg.n;
        const t = transfers(msg.accounts.length, msg.n);
        for (let i = 0; i < msg.n; i++)
          msg.accounts[t[3 * i]!]!.tell({
            type: 'transfer',
            to: msg.accounts[t[3 * i + 1]!]!,
            amount: t[3 * i + 2]!,
          });
        break;
      }
      case 'result':
        answerOrDefer(
          ctx,
          s.waiting,
          s.n > 0 && s.done + s.failed === s.n ? { done: s.done, failed: s.failed } : undefined,
        );
        break;
    }
    return s;
  },
});
