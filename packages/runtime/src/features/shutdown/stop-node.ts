/**
 * What phase 3 and 4 of shutdown walk: a tree of stoppable actors, wherever
 * they live. Local cells are adapted here; executor threads plug in through
 * `ExecutorShutdownPort`. An actor's budget is the kernel's (budget.ts): the
 * `shutdownMs` spawn option, or its supervisor's child spec.
 *
 * Invariant: `stop` is graceful (children first, then onStop, as the cell's own
 * protocol does) and resolves only once the actor has terminated; `kill` is
 * immediate and leaves no message unaccounted for.
 */
import { shutdownMsOf } from '../../kernel/budget.ts';
import { type ActorCell, ALIVE, type OnStopFate, STOPPING } from '../../kernel/cell.ts';
import type { ActorDescription } from '../../kernel/errors.ts';

export { DEFAULT_SHUTDOWN_MS, ownShutdownMs, setShutdownMs, shutdownMsOf } from '../../kernel/budget.ts';

export interface StopNode {
  readonly actor: ActorDescription;
  /** Time this actor gets to stop once its children are gone, ms. */
  readonly shutdownMs: number;
  /** Children in start order. */
  children(): readonly StopNode[];
  alive(): boolean;
  /** Requests a graceful stop; resolves once the actor has terminated. */
  stop(reason: string): Promise<void>;
  /**
   * Terminates now (OTP brutal_kill), children included. Local cells report
   * what they killed through the kernel's onKilled hook (kills.ts); an actor on an executor
   * is reported by the answer, when its executor gives one.
   */
  kill(reason: string): void | Promise<readonly KilledActor[]>;
}

/** An actor `kill` took down, and what became of its onStop (cell.ts OnStopFate). */
export interface KilledActor {
  readonly actor: ActorDescription;
  readonly onStop: OnStopFate;
}

/** An executor that shutdown terminated because it did not answer (a handler hangs synchronously). */
export interface TerminatedExecutor {
  readonly executor: number;
  /** The actor whose turn was running when it was terminated (the watchdog's running record), if known. */
  readonly running: KilledActor | undefined;
  /** Actors it held as of its last published counters: none of them stopped gracefully. */
  readonly actors: number;
}

/**
 * Executor threads' side of shutdown. The threaded system implements it and
 * attaches it with `ShutdownCoordinator.attachExecutors`; an in-thread system has none.
 *
 * Every request is bounded by `answerMs`. An executor that does not answer one
 * in time is silent (a synchronous handler hangs on it): later requests do not
 * wait for it, so it costs the healthy executors one answer's wait, not their
 * graceful stop; phase 4 terminates it if it still does not answer.
 */
export interface ExecutorShutdownPort {
  /** Phase 1: every executor host refuses spawns (`ctx.spawn` included). True when every one answered. */
  stopIntake(answerMs: number): Promise<boolean>;
  /**
   * Phase 2 with `drain: false`: dead-letter every queued message on every executor (reason
   * `shutdown`). True when every one that is not silent answered.
   */
  dropQueued(answerMs: number): Promise<boolean>;
  /** Phase 2: messages held by silent executors (as of their last counters): the drain does not wait for them. */
  heldBySilent?(): number;
  /**
   * Phase 3: top-level actors living on executors, in start order; one list
   * per executor that answers, each as it answers, so the healthy ones' actors
   * start stopping without waiting for a silent one.
   */
  roots(answerMs: number): ReadonlyArray<Promise<readonly StopNode[]>>;
  /**
   * Phase 4: kills every actor still alive on executors. An executor that does
   * not answer within `answerMs` (a synchronous handler hangs) is terminated:
   * its actors' messages are dead-lettered `shutdown` on this side.
   */
  killAll(
    reason: string,
    answerMs: number,
  ): Promise<{ killed: readonly KilledActor[]; terminated: readonly TerminatedExecutor[] }>;
  /**
   * Every executor that is not silent publishes its counters after handling
   * every frame sent to it before this call. Stats read from the board lag a
   * tick and do not see messages still in a channel: the drain's quiescence
   * check and the report's final stats read them after a sync. True when
   * every one answered.
   */
  sync?(answerMs: number): Promise<boolean>;
  /** Phase 6: terminates every executor thread; resolves once all have exited. */
  terminateAll(): Promise<void>;
}

/** `cell` stops its children by a protocol of its own (a supervisor: kernel hook `childStop`). */
export function ownsChildStop(cell: ActorCell): boolean {
  return cell.host.hooks.childStop?.owns(cell) === true;
}

/**
 * A local cell as a stop node. A cell with its own child-stop protocol (a
 * supervisor: children one by one in reverse start order, each within its
 * spec's shutdownMs, then killed) is a leaf here: walking its children from
 * outside would race its restarts, and it needs as long as its children take.
 */
export function cellNode(cell: ActorCell): StopNode {
  const ownProtocol = ownsChildStop(cell);
  return {
    actor: cell.desc,
    shutdownMs: ownProtocol ? Number.POSITIVE_INFINITY : shutdownMsOf(cell),
    children: () => (ownProtocol || cell.children === null ? [] : [...cell.children].map(cellNode)),
    alive: () => cell.status === ALIVE || cell.status === STOPPING,
    stop(reason) {
      cell.requestStop(reason);
      return cell.whenStopped();
    },
    kill(reason) {
      cell.kill(reason);
    },
  };
}
