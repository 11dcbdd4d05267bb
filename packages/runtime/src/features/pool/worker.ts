/**
 * PoolWorker: the actor that runs a pool's tasks. Workers are ordinary
 * actors — spread over the executors, stolen by idle ones, restarted by the
 * kernel's default policy if they ever fail — so a pool and the actors of
 * the application share one scheduler.
 *
 * Protocol, per task (the pool asks; the worker answers the ask):
 * 1. The message is `{ k, i, a?, id?, t? }`: dispatch number, input, attempt,
 *    task id, timeout (ms, for the abort reason only).
 * 2. The board and the task function of the pool are this thread's already,
 *    or the first message awaits them (board handshake, module import).
 * 3. A dispatch the pool cancelled meanwhile is skipped: answer `SKIPPED`.
 * 4. The task runs with `running[slot] = k` on the board. A value (or a
 *    promise's value) answers `[value, runMs]`; a throw or a rejection fails
 *    the ask with the task's own error, as it is (the worker itself does not
 *    fail: it keeps serving). An async task keeps the worker busy, so it is
 *    neither handed another task nor moved while it runs.
 *
 * The state is the props (all data), so a worker moves with its handed
 * tasks still queued in its mailbox.
 */
import type { ActorContext, PendingReply } from '../../kernel/context.ts';
import { defineActor } from '../../kernel/definition.ts';
import { boardFor, type PoolBoard } from './board.ts';
import type { TaskFunction } from './options.ts';
import { RunContext } from './run-context.ts';
import { type TaskRef, taskFunction } from './task-source.ts';

export interface WorkerProps {
  /** The pool's id (its board and, in-thread, its function are found by it). */
  readonly pool: string;
  /** The pool's name, for errors. */
  readonly name: string;
  readonly task: TaskRef;
  /** This worker's row on the board. */
  readonly slot: number;
}

export interface RunMsg {
  readonly k: number;
  readonly i: unknown;
  readonly a?: number;
  readonly id?: string;
  readonly t?: number;
}

/** What a worker answers: the value and its run time in ms, or `SKIPPED` (run time -1). */
export type RunReply = readonly [unknown, number];
export const SKIPPED: RunReply = Object.freeze([null, -1] as const);

export const POOL_WORKER = 'troupe.pool.worker';

type Ctx = ActorContext<RunMsg>;

/** Runs one task; `deferred`: the ask was already deferred (the first message on a new thread). */
function run(
  s: WorkerProps,
  b: PoolBoard,
  fn: TaskFunction,
  m: RunMsg,
  ctx: Ctx,
  deferred?: PendingReply,
): WorkerProps | Promise<WorkerProps> {
  if (!b.start(s.slot, m.k)) {
    answer(ctx, deferred, SKIPPED);
    return s;
  }
  const rc = new RunContext(b, s.slot, m.k, s.name, m.id, m.a ?? 0, m.t ?? 0);
  const t0 = ctx.now();
  let out: unknown;
  try {
    out = fn(m.i, rc);
  } catch (e) {
    b.end(s.slot);
    if (deferred === undefined) ctx.fail(e);
    else ctx.failReply(deferred, e);
    return s;
  }
  if (!(out instanceof Promise) && !isThenable(out)) {
    b.end(s.slot);
    answer(ctx, deferred, [out, ctx.now() - t0]);
    return s;
  }
  const pending = deferred ?? ctx.deferReply();
  rc.wentAsync();
  return Promise.resolve(out).then(
    (v) => {
      rc.done();
      b.end(s.slot);
      if (pending !== undefined) ctx.completeReply(pending, [v, ctx.now() - t0] as RunReply);
      return s;
    },
    (e: unknown) => {
      rc.done();
      b.end(s.slot);
      if (pending !== undefined) ctx.failReply(pending, e);
      return s;
    },
  );
}

function answer(ctx: Ctx, deferred: PendingReply | undefined, v: RunReply): void {
  if (deferred === undefined) ctx.reply(v);
  else ctx.completeReply(deferred, v);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

export const PoolWorker = defineActor<WorkerProps, RunMsg, WorkerProps>(
  POOL_WORKER,
  {
    init: (props) => props,
    // Loads the board and the task function before the first task, so its latency holds neither.
    // A failure here is left to the first task to report (receive), as that task's error.
    onStart(s) {
      try {
        const b = boardFor(s.pool);
        const f = taskFunction(s.pool, s.task);
        if (b instanceof Promise || f instanceof Promise)
          return Promise.all([b, f]).then(
            () => s,
            () => s,
          );
      } catch {}
      return s;
    },
    receive(s, m, ctx) {
      let b: PoolBoard | Promise<PoolBoard>;
      let f: TaskFunction | Promise<TaskFunction>;
      try {
        b = boardFor(s.pool);
        f = taskFunction(s.pool, s.task);
      } catch (e) {
        ctx.fail(e);
        return s;
      }
      if (!(b instanceof Promise) && !(f instanceof Promise)) return run(s, b, f, m, ctx);
      // A worker that moved to a thread where its pool was not seen yet: once per thread. A module
      // that cannot load fails this task with the reason; the worker keeps serving.
      const pending = ctx.deferReply();
      return Promise.all([b, f]).then(
        ([board, fn]) => run(s, board, fn, m, ctx, pending),
        (e: unknown) => {
          if (pending !== undefined) ctx.failReply(pending, e);
          return s;
        },
      );
    },
  },
  // Handed tasks are bounded by the pool (a window per worker), never by a mailbox capacity.
  { mailbox: { capacity: Number.POSITIVE_INFINITY } },
);
