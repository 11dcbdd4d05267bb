/**
 * Running Troupe contenders the same way in every mode: a fresh system per
 * run (created and shut down outside the timed region), actor definitions
 * from the workload's `*.actors.ts` module so executor threads can import
 * them, and completion detected by asking the actor that holds the answer.
 */
import {
  type ActorDefinition,
  type ActorRef,
  type ActorSystem,
  createSystem,
  type MessageOf,
  type PropsOf,
  type SystemOptions,
} from '@troupe/runtime';
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

/** Spawns a top-level actor for one run; it is stopped when the run ends. */
export type RunSpawn = <D extends ActorDefinition>(
  def: D,
  props: PropsOf<D>,
) => Promise<ActorRef<MessageOf<D>>>;

const systems = new Map<string, Promise<ActorSystem>>();

/**
 * Runs `work` (which returns its own timed ms) on the system for these
 * options. Protocol:
 * 1. One system per (executors, options) for the whole suite, created at
 *    its first run and kept until `closeSystems()`, with every workload's
 *    definitions (workloads/all.actors.ts): starting executor threads costs
 *    seconds (each loads the TypeScript sources), which would dominate a
 *    suite that made a system per run. Creation stays outside the timing.
 * 2. Actors a run spawns through `spawn` are stopped (and awaited) after it,
 *    outside the timing, so every run starts with the same live actors.
 * 3. A run that dead-lettered any message failed, whatever its answer: every
 *    workload accounts for all of its messages.
 */
export async function withSystem(
  executors: number,
  work: (run: { system: ActorSystem; spawn: RunSpawn }) => Promise<number>,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const key = `${executors} ${JSON.stringify(extra)}`;
  let sp = systems.get(key);
  if (sp === undefined) {
    sp = createSystem({ executors, actors: ALL_ACTORS, ...extra } as SystemOptions);
    systems.set(key, sp);
    sp.catch(() => systems.delete(key));
  }
  const system = await sp;
  const spawned: ActorRef[] = [];
  const spawn: RunSpawn = async (def, props) => {
    const ref = await system.spawn(def, props);
    spawned.push(ref);
    return ref;
  };
  const before = system.stats().deadLettered;
  try {
    const ms = await work({ system, spawn });
    const after = system.stats().deadLettered;
    if (after.total !== before.total)
      throw new WrongAnswer('troupe', 'dead letters in the run', 0, JSON.stringify(after.byReason));
    return ms;
  } finally {
    await Promise.all(spawned.map((r) => system.stop(r)));
  }
}

/** Shuts down every system `withSystem` created (at the end of the suite). */
export async function closeSystems(): Promise<void> {
  const all = [...systems.values()];
  systems.clear();
  for (const sp of all) {
    const s = await sp.catch(() => null);
    await s?.shutdown({ timeoutMs: 10_000 });
  }
}

const ALL_ACTORS = new URL('../workloads/all.actors.ts', import.meta.url);

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Asks `ref` for its result once: the workloads' result holders defer their
 * reply until they have it (`ctx.deferReply`), so the main thread waits on
 * one promise, as Piscina's caller does. (It polled every 1 ms before, and on
 * two cores those wake-ups took CPU from the two executors being timed.) An
 * actor that answers `undefined` (not done, not deferring) is asked again.
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
