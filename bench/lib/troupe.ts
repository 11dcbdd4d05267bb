/**
 * Running Troupe contenders the same way in every mode: a fresh system per
 * run (created and shut down outside the timed region), actor definitions
 * from the workload's `*.actors.ts` module so executor threads can import
 * them, and completion detected by asking the actor that holds the answer.
 */
import { type ActorRef, type ActorSystem, createSystem, type SystemOptions } from '@troupe/runtime';
import { RESULT } from '../workloads/common.actors.ts';
import { type Contender, type SuiteContext, WrongAnswer } from './types.ts';

export function modeName(executors: number): string {
  return executors === 0 ? 'in-thread' : `${executors} executor${executors === 1 ? '' : 's'}`;
}

/**
 * Which executor counts this build can run. Threaded modes appear only when
 * `createSystem({ executors: 1 })` works — never estimated.
 */
export async function detectExecutorModes(): Promise<{ modes: number[]; note: string | null }> {
  try {
    const s = await createSystem({
      executors: 1,
      actors: new URL('../workloads/idle.actors.ts', import.meta.url),
    });
    await s.shutdown({ timeoutMs: 5000 });
    return { modes: [0, 1, 2], note: null };
  } catch (e) {
    return { modes: [0], note: `threaded modes unavailable: ${(e as Error).message}` };
  }
}

/** Creates a system, runs `work` (which returns its own timed ms), always shuts down. */
export async function withSystem(
  actors: URL,
  executors: number,
  work: (system: ActorSystem) => Promise<number>,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const system = await createSystem({ executors, actors, ...extra } as SystemOptions);
  try {
    return await work(system);
  } finally {
    await system.shutdown({ timeoutMs: 10_000 });
  }
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Asks `ref` for its result until it has one. In-thread each ask is answered
 * within the dispatcher drain that is running anyway, so it adds one message
 * per drain (every ~5 ms) and no wait; with executors the main thread is idle,
 * so it asks again after 1 ms instead of flooding the actor's mailbox.
 */
export async function pollResult<R>(ref: ActorRef<any>, executors: number): Promise<R> {
  for (;;) {
    const r = await ref.ask<R | undefined>(RESULT, { timeoutMs: 600_000 });
    if (r !== undefined) return r;
    if (executors > 0) await pause(1);
  }
}

/** One contender per executor mode this build supports. */
export function troupeContenders(
  ctx: SuiteContext,
  run: (executors: number) => Promise<number>,
): Contender[] {
  return ctx.executorModes.map((executors) => ({
    system: 'troupe' as const,
    mode: modeName(executors),
    run: () =>
      run(executors).catch((e: unknown) => {
        if (e instanceof WrongAnswer) e.message += ` (troupe ${modeName(executors)})`;
        throw e;
      }),
  }));
}

/** Spawns from plain code: the synchronous path in-thread (no promise per actor), the async one otherwise. */
export async function spawnFromMain<M>(
  system: ActorSystem,
  executors: number,
  def: Parameters<ActorSystem['spawnSync']>[0],
  props: unknown,
): Promise<ActorRef<M>> {
  return (executors === 0 ? system.spawnSync(def, props) : await system.spawn(def, props)) as ActorRef<M>;
}
