/**
 * fast-check properties of the in-thread core:
 * (a) every message is accounted for — at quiescence
 *     `sent = processed + deadLettered.total` under random spawn / tell / ask /
 *     stop / bounded-mailbox / failing-handler sequences;
 * (b) per sender→receiver pair, delivery order = send order, with several
 *     actor senders interleaved by small throughputs and async handlers.
 */
import {
  type ActorRef,
  type ActorSystem,
  type DeadLetter,
  defineActor,
  isTerminated,
  type SimulatedClock,
  type Terminated,
} from '@troupe/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quiesce, simSystem } from './helpers.ts';

type NodeMsg =
  | { k: 'work' }
  | { k: 'async' }
  | { k: 'boom' }
  | { k: 'fwd'; to: ActorRef<NodeMsg>; hops: number }
  | { k: 'spawn-child' }
  | { k: 'stop-self' }
  | { k: 'watch'; to: ActorRef<NodeMsg> }
  | { k: 'ask-peer'; to: ActorRef<NodeMsg> };

const Node = defineActor('prop.node', {
  init: () => ({ n: 0 }),
  receive(s: { n: number }, m: NodeMsg | Terminated, ctx) {
    if (isTerminated(m)) return s; // death watch: a system notification, not a user message
    switch (m.k) {
      case 'watch':
        ctx.watch(m.to);
        break;
      case 'ask-peer':
        // Two actors asking each other wait until the ask times out (clock advanced by the test).
        return ctx.ask(m.to, { k: 'work' }, { timeoutMs: 20 }).then(
          () => ({ n: s.n + 1 }),
          () => ({ n: s.n + 1 }),
        );
      case 'boom':
        throw new Error('boom');
      case 'async':
        return Promise.resolve().then(() => {
          if (ctx.isAsk) ctx.reply(s.n);
          return { n: s.n + 1 };
        });
      case 'fwd':
        if (m.hops > 0) ctx.tell(m.to, { k: 'fwd', to: ctx.self, hops: m.hops - 1 });
        break;
      case 'spawn-child':
        ctx.spawn(Node, undefined);
        break;
      case 'stop-self':
        ctx.stop();
        break;
    }
    if (ctx.isAsk) ctx.reply(s.n);
    return { n: s.n + 1 };
  },
});

type Cmd =
  | { c: 'spawn'; cap: number | null; overflow: 'reject' | 'drop-oldest' | 'drop-newest' }
  | { c: 'tell'; to: number; m: 'work' | 'async' | 'boom' | 'spawn-child' | 'stop-self' }
  | { c: 'fwd'; from: number; to: number; hops: number }
  | { c: 'watch' | 'ask-peer'; from: number; to: number }
  | { c: 'ask'; to: number; m: 'work' | 'async' | 'boom'; timeoutMs: number }
  | { c: 'stop'; to: number }
  | { c: 'yield' }
  | { c: 'advance'; ms: number };

const idx = fc.nat({ max: 7 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant('spawn' as const),
      cap: fc.option(fc.integer({ min: 1, max: 4 })),
      overflow: fc.constantFrom('reject' as const, 'drop-oldest' as const, 'drop-newest' as const),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      c: fc.constant('tell' as const),
      to: idx,
      m: fc.constantFrom(
        'work' as const,
        'work' as const,
        'async' as const,
        'boom' as const,
        'spawn-child' as const,
        'stop-self' as const,
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ c: fc.constant('fwd' as const), from: idx, to: idx, hops: fc.nat({ max: 6 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ c: fc.constantFrom('watch' as const, 'ask-peer' as const), from: idx, to: idx }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      c: fc.constant('ask' as const),
      to: idx,
      m: fc.constantFrom('work' as const, 'async' as const, 'boom' as const),
      timeoutMs: fc.integer({ min: 1, max: 50 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('stop' as const), to: idx }) },
  { weight: 2, arbitrary: fc.constant({ c: 'yield' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ c: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 30 }) }),
  },
);

/**
 * Runs the system dry: drain, then fire armed timers (ask timeouts), and
 * again, since a timeout can let a handler finish and its successor arm a
 * new ask. Bounded: every round fires at least one timer or ends.
 */
async function settle(system: ActorSystem, clock: SimulatedClock): Promise<void> {
  for (let round = 0; round < 1_000; round++) {
    await quiesce(system);
    if (clock.pending === 0) return;
    clock.advance(1_000);
  }
  throw new Error('timers kept re-arming');
}

describe('property: every message is accounted for', () => {
  it('sent = processed + deadLettered.total at quiescence, every dead letter has a reason', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(cmd, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        async (cmds, throughput) => {
          const { system, clock } = await simSystem({ throughput });
          const dead: DeadLetter[] = [];
          system.deadLetters$.subscribe((d) => dead.push(d));
          const refs: ActorRef<NodeMsg>[] = [system.spawnSync(Node, undefined)];
          const asks: Promise<unknown>[] = [];
          const pick = (i: number) => refs[i % refs.length]!;
          for (const c of cmds) {
            switch (c.c) {
              case 'spawn':
                refs.push(
                  system.spawnSync(
                    Node,
                    undefined,
                    c.cap === null ? undefined : { mailbox: { capacity: c.cap, overflow: c.overflow } },
                  ),
                );
                break;
              case 'tell':
                pick(c.to).tell({ k: c.m });
                break;
              case 'fwd':
                pick(c.from).tell({ k: 'fwd', to: pick(c.to), hops: c.hops });
                break;
              case 'watch':
              case 'ask-peer':
                pick(c.from).tell({ k: c.c, to: pick(c.to) });
                break;
              case 'ask':
                asks.push(
                  pick(c.to)
                    .ask({ k: c.m }, { timeoutMs: c.timeoutMs })
                    .catch(() => 'rejected'),
                );
                break;
              case 'stop':
                void system.stop(pick(c.to));
                break;
              case 'yield':
                await quiesce(system);
                break;
              case 'advance':
                clock.advance(c.ms);
                break;
            }
          }
          await settle(system, clock);
          await Promise.all(asks); // every ask settles one way or the other
          const s = system.stats();
          expect(s.inFlight).toBe(0);
          expect(s.sent).toBe(s.processed + s.deadLettered.total);
          expect(dead).toHaveLength(s.deadLettered.total);
          for (const d of dead) expect(typeof d.reason).toBe('string');
          const byReason = Object.values(s.deadLettered.byReason).reduce((a, b) => a + b, 0);
          expect(byReason).toBe(s.deadLettered.total);
          await system.shutdown();
          const after = system.stats();
          expect(after.sent).toBe(after.processed + after.deadLettered.total);
        },
      ),
      { numRuns: 150 },
    );
  });
});

type RecvMsg = { from: number; seq: number } | { k: 'log' };
type SendMsg = { k: 'send'; to: ActorRef<RecvMsg>; count: number };

const Receiver = defineActor('prop.receiver', {
  init: (p: { async: boolean }) => ({ async: p.async, log: [] as Array<[number, number]> }),
  receive(s, m: RecvMsg, ctx) {
    if ('k' in m) {
      ctx.reply(s.log);
      return s;
    }
    s.log.push([m.from, m.seq]);
    // Every third message goes async: the mailbox must wait and keep the order.
    return s.async && m.seq % 3 === 0 ? Promise.resolve(s) : s;
  },
  pinned: true,
});

const Sender = defineActor('prop.sender', {
  init: (p: { id: number }) => ({ id: p.id, next: new Map<ActorRef, number>() }),
  receive(s, m: SendMsg, ctx) {
    let seq = s.next.get(m.to) ?? 0;
    for (let i = 0; i < m.count; i++) ctx.tell(m.to, { from: s.id, seq: seq++ });
    s.next.set(m.to, seq);
    return s;
  },
  pinned: true,
});

describe('property: per-pair FIFO', () => {
  it('each sender→receiver pair sees its messages in send order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(
          fc.record({
            s: fc.nat(),
            r: fc.nat(),
            count: fc.integer({ min: 1, max: 5 }),
            yieldAfter: fc.boolean(),
          }),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (nSenders, nReceivers, plan, throughput, async) => {
          const { system } = await simSystem({ throughput });
          const senders = Array.from({ length: nSenders }, (_, id) => system.spawnSync(Sender, { id }));
          const receivers = Array.from({ length: nReceivers }, () => system.spawnSync(Receiver, { async }));
          const expected = new Map<string, number>();
          for (const step of plan) {
            const si = step.s % nSenders;
            const ri = step.r % nReceivers;
            senders[si]!.tell({ k: 'send', to: receivers[ri]!, count: step.count });
            expected.set(`${si}->${ri}`, (expected.get(`${si}->${ri}`) ?? 0) + step.count);
            if (step.yieldAfter) await quiesce(system);
          }
          await quiesce(system);
          for (let ri = 0; ri < nReceivers; ri++) {
            const log = await receivers[ri]!.ask<Array<[number, number]>>({ k: 'log' });
            const bySender = new Map<number, number[]>();
            for (const [from, seq] of log)
              (bySender.get(from) ?? bySender.set(from, []).get(from)!).push(seq);
            for (const [from, seqs] of bySender) {
              expect(seqs).toEqual(seqs.map((_, i) => i));
              expect(seqs.length).toBe(expected.get(`${from}->${ri}`));
            }
          }
          const s = system.stats();
          expect(s.sent).toBe(s.processed);
        },
      ),
      { numRuns: 150 },
    );
  });
});
