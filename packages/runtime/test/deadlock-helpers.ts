/**
 * Fixtures for deadlock tests: ring actors that ask the next one and report
 * how their ask ended, a gate that holds asks until told, and the
 * accounting check.
 */
import {
  type ActorRef,
  type ActorSystem,
  type AnyTroupeEvent,
  type DefinitionDeadlockOptions,
  defineActor,
  type TroupeError,
} from '@troupe/runtime';
import { expect } from 'vitest';

/** Lets the dispatcher (microtasks, setImmediate) run without moving simulated time. */
export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await tick();
}

export type RingMsg = { type: 'link'; next: ActorRef<RingMsg> } | { type: 'go' } | { type: 'ping' };

export interface RingState {
  readonly idx: number;
  readonly next: ActorRef<RingMsg> | undefined;
  readonly reentrant: boolean;
}

/**
 * `go`: ask the next actor `go` and await it; reply `"i>answer"`, or
 * `"i:code"` when the ask failed. `ping` answers `"pong i"` (reentrancy).
 */
export function ringDef(
  name: string,
  deadlock?: DefinitionDeadlockOptions,
  rank?: number,
  afterAwait = false,
) {
  return defineActor(
    name,
    {
      init: (p: { idx: number; reentrant?: boolean }): RingState => ({
        idx: p.idx,
        next: undefined,
        reentrant: p.reentrant ?? false,
      }),
      receive(s: RingState, m: RingMsg, ctx) {
        if (m.type === 'link') return { ...s, next: m.next };
        if (m.type === 'ping') {
          ctx.reply(`pong ${s.idx}`);
          return s;
        }
        return (async () => {
          if (afterAwait) await null; // the ask then comes from an already blocked handler
          try {
            const r = await ctx.ask<string>(
              s.next!,
              { type: 'go' },
              s.reentrant ? { reentrant: true } : undefined,
            );
            ctx.reply(`${s.idx}>${r}`);
          } catch (e) {
            ctx.reply(`${s.idx}:${(e as TroupeError).code}`);
          }
          return s;
        })();
      },
    },
    { ...(deadlock ? { deadlock } : {}), ...(rank !== undefined ? { rank } : {}) },
  );
}

export const Ring = ringDef('ring');

/** Spawns n ring actors linked i → i+1 (the last to the first). */
export function ring(system: ActorSystem, n: number, def = Ring): ActorRef<RingMsg>[] {
  const refs = Array.from({ length: n }, (_, i) => system.spawnSync(def, { idx: i }));
  for (let i = 0; i < n; i++) refs[i]!.tell({ type: 'link', next: refs[(i + 1) % n]! });
  return refs;
}

export function collect(system: ActorSystem): AnyTroupeEvent[] {
  const out: AnyTroupeEvent[] = [];
  system.events$.subscribe((e) => out.push(e));
  return out;
}

export const ofType = (events: AnyTroupeEvent[], type: string) =>
  events.filter((e) => e.type === type) as Array<AnyTroupeEvent & Record<string, any>>;

/** `sent = processed + deadLettered` with nothing in flight. */
export function expectAccounted(system: ActorSystem): void {
  const s = system.stats();
  expect(s.inFlight).toBe(0);
  expect(s.sent).toBe(s.processed + s.deadLettered.total);
}
