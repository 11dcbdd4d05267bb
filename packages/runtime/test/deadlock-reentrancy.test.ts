import { type ActorRef, createSystem, defineActor, SimulatedClock, type TroupeError } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { collect, expectAccounted, ofType, settle } from './deadlock-helpers.ts';

type CallerMsg = { type: 'call'; callee: ActorRef<CalleeMsg>; reentrant: boolean } | { type: 'ping' };
type CalleeMsg = { type: 'work'; caller: ActorRef<CallerMsg> };

const callerBehavior = {
  init: () => ({ pings: 0 }),
  receive(s: { pings: number }, m: CallerMsg, ctx: any) {
    if (m.type === 'ping') {
      ctx.reply(`pong ${s.pings + 1}`);
      return { pings: s.pings + 1 };
    }
    return (async () => {
      const r = await ctx.ask(
        m.callee,
        { type: 'work', caller: ctx.self },
        m.reentrant ? { reentrant: true } : {},
      );
      ctx.reply(r);
      return s;
    })();
  },
};
const Caller = defineActor('re-caller', callerBehavior);
const ReentrantCaller = defineActor('re-caller-def', callerBehavior, { deadlock: { reentrant: true } });

/** Asks the caller back (same call chain) after `gate` opens. */
let gate: Promise<void> = Promise.resolve();
const Callee = defineActor('re-callee', {
  init: () => null,
  async receive(s: null, m: CalleeMsg, ctx) {
    await gate;
    try {
      ctx.reply(`done:${await ctx.ask(m.caller, { type: 'ping' })}`);
    } catch (e) {
      ctx.reply(`failed:${(e as TroupeError).code}`);
    }
    return s;
  },
});

const LONG = { timeoutMs: 600_000 };

describe('reentrancy (call chains)', () => {
  it('without reentrancy, the call-back deadlocks (and fail-ask resolves it)', async () => {
    gate = Promise.resolve();
    const system = await createSystem({ clock: new SimulatedClock(), deadlock: { strategy: 'fail-ask' } });
    const events = collect(system);
    const caller = system.spawnSync(Caller, undefined);
    const callee = system.spawnSync(Callee, undefined);
    await expect(caller.ask({ type: 'call', callee, reentrant: false }, LONG)).resolves.toBe(
      'failed:deadlock',
    );
    expect(ofType(events, 'deadlock.detected')).toHaveLength(1);
  });

  it('a reentrant ask lets the waiting actor serve its own call chain: no deadlock', async () => {
    gate = Promise.resolve();
    const system = await createSystem({ clock: new SimulatedClock(), deadlock: { strategy: 'fail-ask' } });
    const events = collect(system);
    const caller = system.spawnSync(Caller, undefined);
    const callee = system.spawnSync(Callee, undefined);
    await expect(caller.ask({ type: 'call', callee, reentrant: true }, LONG)).resolves.toBe('done:pong 1');
    expect(ofType(events, 'deadlock.detected')).toHaveLength(0);
    await settle();
    expectAccounted(system);
  });

  it('works with detection off (timeout-only) and when set on the definition', async () => {
    gate = Promise.resolve();
    const system = await createSystem({ clock: new SimulatedClock() });
    const caller = system.spawnSync(Caller, undefined);
    const callee = system.spawnSync(Callee, undefined);
    await expect(caller.ask({ type: 'call', callee, reentrant: true }, LONG)).resolves.toBe('done:pong 1');
    const c2 = system.spawnSync(ReentrantCaller, undefined);
    await expect(c2.ask({ type: 'call', callee, reentrant: false }, LONG)).resolves.toBe('done:pong 1');
    await settle();
    expectAccounted(system);
  });

  it('does not let other call chains in while the actor waits', async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const system = await createSystem({ clock: new SimulatedClock(), deadlock: { strategy: 'fail-ask' } });
    const caller = system.spawnSync(Caller, undefined);
    const callee = system.spawnSync(Callee, undefined);
    const call = caller.ask<string>({ type: 'call', callee, reentrant: true }, LONG);
    await settle();
    let outsider: string | undefined;
    caller.ask<string>({ type: 'ping' }, LONG).then((v) => (outsider = v));
    await settle();
    expect(outsider).toBeUndefined(); // another chain: queued until the handler finishes
    open();
    await expect(call).resolves.toBe('done:pong 1');
    await settle();
    expect(outsider).toBe('pong 1'); // the outer handler's returned state replaced the reentrant one
    expectAccounted(system);
  });

  it('rejects a non-boolean reentrant option', async () => {
    const system = await createSystem({ clock: new SimulatedClock() });
    const caller = system.spawnSync(Caller, undefined);
    await expect(caller.ask({ type: 'ping' }, { reentrant: 'yes' as never })).rejects.toMatchObject({
      code: 'config',
      context: { path: 'ask(options).reentrant' },
    });
  });
});
