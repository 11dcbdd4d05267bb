/**
 * The shutdown coordinator's view of the executors (features/shutdown/stop-node.ts
 * ExecutorShutdownPort), over requests to each executor.
 *
 * 1. Every request is bounded by the coordinator's `answerMs`. An executor
 *    that lets one go unanswered though it had a fair chance (FAIR_MS) is
 *    silent (a synchronous handler hangs on it) until it answers again: sync
 *    and drop no longer ask it and the drain does not wait for what it holds,
 *    so nobody waits for it twice. A bound near the deadline is no verdict: a
 *    healthy executor branded silent would lose its queued work.
 * 2. roots: one list per executor, each as it answers, with each actor's own
 *    shutdownMs. The first call asks silent executors too (their lists cost
 *    the others nothing: each list stops on its own); later passes do not.
 *    An actor's kill is a request to its executor, answered with what it
 *    killed and what became of each onStop.
 * 3. killAll asks every executor, silent ones too (a last chance); one that
 *    does not answer is terminated, its counters kept and what it held
 *    dead-lettered, and the actor whose turn was running is named.
 */
import {
  type Board,
  REQ_DROP,
  REQ_INTAKE,
  REQ_KILL,
  REQ_KILL_ACTOR,
  REQ_PUBLISH,
  REQ_ROOTS,
  type RunningRecord,
  SLOT,
} from '@troupe/scheduler';
import type {
  ExecutorShutdownPort,
  KilledActor,
  StopNode,
  TerminatedExecutor,
} from '../features/shutdown/index.ts';
import type { OnStopFate } from '../kernel/cell.ts';
import type { ActorDefinition } from '../kernel/definition.ts';
import type { ActorRef } from '../kernel/ref.ts';

/** What the port needs from the threaded runtime (kept narrow so this file stays about shutdown). */
export interface ShutdownPortHost {
  readonly board: Board;
  readonly definitions: ReadonlyMap<string, ActorDefinition>;
  /** Closes the main thread's intake (spawns, tells and asks from outside). */
  closeIntake(): void;
  request<T>(node: number, op: number, args: unknown[], timeoutMs: number): Promise<T>;
  /** Stops an actor wherever it lives; resolves once it has terminated. */
  stop(ref: ActorRef): Promise<void>;
  /** What `node` was running (the watchdog's record; actor 0 when unknown). */
  running(node: number): RunningRecord;
  /** Terminates `node` now: counters kept, what it held dead-lettered with `reason`. */
  terminate(node: number, reason: string): Promise<void>;
  terminateAll(): Promise<void>;
}

/** An executor's answer to `roots`: each top-most actor with its shutdownMs (null: a supervisor, its own protocol). */
export type RootEntry = readonly [ActorRef, number | null];

const SILENT = Symbol('silent');

/** Step 1: an unanswered request brands an executor silent only if it had at least this long, ms. */
const FAIR_MS = 100;

export function executorShutdownPort(rt: ShutdownPortHost): ExecutorShutdownPort {
  const silent = new Set<number>();
  let rootsAsked = 0;
  const all = () => rt.board.executors();
  const heard = () => all().filter((n) => !silent.has(n));
  /** Step 1: one bounded request; a running executor that does not answer in time is silent. */
  const ask = async <T>(n: number, op: number, args: unknown[], ms: number): Promise<T | typeof SILENT> => {
    try {
      const answer = await rt.request<T>(n, op, args, ms);
      silent.delete(n);
      return answer;
    } catch {
      if (ms >= FAIR_MS && rt.board.get(n, SLOT.alive) !== 0) silent.add(n);
      return SILENT;
    }
  };
  const every = async (nodes: number[], op: number, args: unknown[], ms: number): Promise<boolean> =>
    (await Promise.all(nodes.map((n) => ask(n, op, args, ms)))).every((r) => r !== SILENT);

  const stopNode = (n: number, [ref, ms]: RootEntry, answerMs: number): StopNode => {
    let alive = true;
    return {
      actor: ref.toJSON(),
      shutdownMs: ms ?? Number.POSITIVE_INFINITY,
      children: () => [],
      alive: () => alive,
      stop: async () => {
        await rt.stop(ref);
        alive = false;
      },
      kill: async (reason) => {
        alive = false;
        // Its executor stuck: phase 4 terminates it and names the actor that hung it.
        if (silent.has(n)) return [];
        const r = await ask<KilledActor[]>(n, REQ_KILL_ACTOR, [ref.id, reason], answerMs);
        return r === SILENT ? [] : r;
      },
    };
  };

  const onStopOf = (def: string | undefined): OnStopFate =>
    rt.definitions.get(def ?? '')?.behavior.onStop === undefined ? 'none' : 'skipped';

  return {
    stopIntake: (ms) => {
      rt.closeIntake();
      return every(all(), REQ_INTAKE, [false], ms);
    },
    dropQueued: (ms) => every(heard(), REQ_DROP, [], ms),
    heldBySilent: () => {
      let held = 0;
      for (const n of silent)
        held += rt.board.get(n, SLOT.sent) - rt.board.get(n, SLOT.processed) - rt.board.get(n, SLOT.dead);
      return held;
    },
    roots: (ms) =>
      (rootsAsked++ === 0 ? all() : heard()).map(async (n) => {
        const r = await ask<RootEntry[]>(n, REQ_ROOTS, [], ms);
        return r === SILENT ? [] : r.map((e) => stopNode(n, e, ms));
      }),
    killAll: async (reason, ms) => {
      const killed: KilledActor[] = [];
      const terminated: TerminatedExecutor[] = [];
      await Promise.all(
        all().map(async (n) => {
          const r = await ask<KilledActor[]>(n, REQ_KILL, [reason], ms);
          if (r !== SILENT) {
            killed.push(...r);
            return;
          }
          // Step 3: read before the thread goes (the record is shared memory, but the row's count is its last).
          const run = rt.running(n);
          const actors = rt.board.get(n, SLOT.actors);
          await rt.terminate(n, reason);
          terminated.push({
            executor: n,
            actors,
            running:
              run.actor === 0
                ? undefined
                : { actor: { id: run.actor, def: run.def ?? '?' }, onStop: onStopOf(run.def) },
          });
        }),
      );
      return { killed, terminated };
    },
    sync: (ms) => every(heard(), REQ_PUBLISH, [], ms),
    terminateAll: () => rt.terminateAll(),
  };
}
