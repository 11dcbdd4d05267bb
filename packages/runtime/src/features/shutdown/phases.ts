/**
 * Graceful shutdown: phased, ordered, bounded in time, nothing lost.
 *
 * `system.shutdown({ timeoutMs, drain, drainTimeoutMs, reason })`, with the
 * deadline D = start + timeoutMs (all times on the injected clock):
 *
 * 1. stop-intake — user hooks run first (close the HTTP server while actors
 *    still take its last requests), then the host stops accepting:
 *    `system.spawn` / `ctx.spawn` throw ShutdownError, and tells and asks from
 *    outside any actor are dead-lettered `shutdown` (an ask rejects with
 *    ShutdownError). Actors keep talking to each other — that traffic is how
 *    the work in progress completes. Executors close intake too and stop
 *    handing actors to each other (no migration starts after this phase).
 * 2. drain — with `drain: true` (default), wait until no message is queued or
 *    in a handler, at most `drainTimeoutMs` (default D/2, so stopping keeps
 *    half the budget); with `drain: false`, dead-letter every queued message
 *    (`shutdown`) now. Handlers in progress keep running: stopping waits.
 *    What a silent executor holds (below) is not waited for.
 * 3. stop-actors — top-level actors do not depend on each other: they stop
 *    concurrently (requests sent newest first), each within its own
 *    `shutdownMs` (spawn option or child spec, default 5000) capped by D, so
 *    one stuck actor costs its siblings nothing. Inside a tree, children stop
 *    one by one in reverse start order before their parent (OTP; a supervisor
 *    runs that protocol itself, within its children's specs). An actor that
 *    overruns is killed (OTP brutal_kill) and reported as forced. From phase 1
 *    on, a message that reaches a stopped actor is dead-lettered `shutdown`.
 *    With executors, each executor's actors start stopping as soon as it
 *    names them, and up to STOP_PASSES passes pick up actors that were
 *    migrating.
 * 4. force-stop — at D, trees phase 3 did not reach get a last stop request,
 *    all at once in reverse start order, and one dispatcher turn to honour it:
 *    an idle actor still stops cleanly (onStop runs) instead of paying for a
 *    hung sibling. Then (at once when forced) everything still alive is
 *    killed: the message of a pending handler is dead-lettered `shutdown` and
 *    its late result ignored; its onStop is reported `skipped` or `abandoned`,
 *    never run after the report; an executor whose thread hangs in a
 *    synchronous handler is terminated (ExecutorShutdownPort.killAll) and the
 *    actor whose turn was running is named in `forced`.
 * 5. flush — `flush` hooks (observability sinks) run under their own timeouts,
 *    not D: the trace of a shutdown that overran is the one most worth keeping.
 * 6. terminate — executor threads are terminated and the keep-alive timer is
 *    released; the report's stats are read then (no thread writes them any
 *    more, so `stats()` says the same from now on); `shutdown.completed`
 *    carries the report and `events$` / `deadLetters$` complete, so the
 *    process can exit by itself.
 *
 * The outcome never hides loss (report.ts): a message dead-lettered by
 * shutdown or a phase that ran out of time is at least `incomplete`.
 *
 * Guards and why:
 * - Idempotent: the first call's promise is returned to every later call, so
 *   a signal and application code racing to shut down share one shutdown.
 * - Every wait is bounded (wait.ts) and a failing hook or step is recorded,
 *   never thrown: a later phase always runs.
 * - A keep-alive timer (real, ref'd) holds the process open while a phase
 *   waits on the unref'd clock timers; phase 6 clears it.
 * - Force (`shutdown({ force: true })`, a second signal) aborts every pending
 *   wait; phases 3–4 then kill instead of asking.
 * - An executor request is bounded (ANSWER_MS or an eighth of what is left,
 *   within a quarter of the budget in phase 1), and an executor that lets one go unanswered is silent: no later
 *   phase waits for it (stop-node.ts ExecutorShutdownPort). A stuck executor
 *   costs the healthy ones one answer's wait, not their graceful stop.
 */
import type { ActorCell, OnStopFate } from '../../kernel/cell.ts';
import type { ActorDescription } from '../../kernel/errors.ts';
import type { Host } from '../../kernel/host.ts';
import type { SystemStats } from '../../kernel/stats.ts';
import { type ShutdownHook, type ShutdownHookOptions, ShutdownHooks, type ShutdownPhase } from './hooks.ts';
import type { KillReports } from './kills.ts';
import { type ResolvedShutdown, resolveShutdownOptions, type ShutdownOptions } from './options.ts';
import { type ForcedActor, ReportBuilder, type ShutdownReport } from './report.ts';
import { cellNode, type ExecutorShutdownPort, type StopNode } from './stop-node.ts';
import { Latch, unlessAborted, until, within } from './wait.ts';

/** What the coordinator needs from the system it shuts down. */
export interface ShutdownSubject {
  readonly host: Host;
  /** Every kill on `host` (its KillReports plugin). */
  readonly kills: KillReports;
  /** Stats over every host (in-thread and executors). */
  stats(): SystemStats;
}

/** Phase 3 passes over the live top-level actors (see stopAll). */
const STOP_PASSES = 5;

/** Microtask hops phase 3 waits for a stop to complete before arming a timer for it. */
const QUICK_HOPS = 4;

/**
 * Phase 4: an executor that does not answer a kill within this is stuck in a
 * synchronous handler and is terminated. It is the force-stop margin on
 * executors: small, since a healthy executor answers within a turn.
 */
const KILL_MS = 250;

/** Phases 1–3: how long an executor request may take before the phase goes on without it, ms (see answerMs). */
const ANSWER_MS = 1000;

/** Longest phase 6 waits for executors' final counters, ms (they are idle by then: a turn is enough). */
const SYNC_MS = 250;

/** Longest phase 6 waits for executor threads to exit, ms. */
const TERMINATE_MS = 5000;

/** A phase's runtime step: resolves true when it ran out of time (PhaseReport.timedOut). */
type Step = () => Promise<boolean>;

export class ShutdownCoordinator {
  readonly hooks = new ShutdownHooks();
  private running: Promise<ShutdownReport> | null = null;
  private readonly force = new Latch();
  private executors: ExecutorShutdownPort | null = null;
  private readonly listeners: Array<(r: ShutdownReport) => void> = [];
  /** Why the kills happening now happen; a kill we did not start is a supervisor's shutdownMs. */
  private killCause: ForcedActor['cause'] = 'shutdown-timeout';

  constructor(private readonly subject: ShutdownSubject) {}

  /** True once shutdown has begun. */
  get started(): boolean {
    return this.running !== null;
  }

  /** Integration point for the threaded system. */
  attachExecutors(port: ExecutorShutdownPort): void {
    this.executors = port;
  }

  onShutdown(phase: ShutdownPhase, fn: ShutdownHook, options?: ShutdownHookOptions): () => void {
    return this.hooks.add(phase, fn, options);
  }

  /** Runs `fn` with the report once shutdown completes (signal handler: exit code, listeners). */
  onFinished(fn: (r: ShutdownReport) => void): void {
    this.listeners.push(fn);
  }

  run(options?: ShutdownOptions): Promise<ShutdownReport> {
    let o: ResolvedShutdown;
    try {
      o = resolveShutdownOptions(options);
    } catch (e) {
      return this.running ?? Promise.reject(e);
    }
    if (o.force) this.force.fire();
    if (this.running === null) {
      this.running = this.execute(o);
      // execute() records failures instead of throwing; the rejection branch only keeps a bug visible once.
      this.running.then(
        (r) => {
          for (const l of this.listeners) l(r);
        },
        () => {},
      );
    }
    return this.running;
  }

  private async execute(o: ResolvedShutdown): Promise<ShutdownReport> {
    const { host } = this.subject;
    const clock = host.clock;
    const t0 = clock.now();
    const deadline = t0 + o.timeoutMs;
    const keepAlive = setInterval(() => {}, 2 ** 30);
    // With executors this baseline lags at most a tick (counters on the board); syncing first would
    // make a stuck executor delay phase 1. `stopped` uses a synced count taken once intake is closed.
    const rb = new ReportBuilder(o.reason, t0, this.subject.stats());
    host.emit({ type: 'shutdown.started', at: t0, reason: o.reason, timeoutMs: o.timeoutMs, drain: o.drain });
    const unlisten = this.subject.kills.listen((cell, onStop) =>
      this.recordForced(rb, cell.desc, this.killCause, onStop),
    );
    try {
      await this.phase(rb, 'stop-intake', 1, deadline, () => this.stopIntake(rb, deadline));
      await this.phase(rb, 'drain', 2, deadline, () => this.drain(o, t0, deadline));
      rb.drained = this.subject.stats().processed - rb.before.processed;
      await this.phase(rb, 'stop-actors', 3, deadline, () => this.stopAll(rb, deadline));
      await this.phase(rb, 'force-stop', 4, deadline, () => this.killAll(rb));
      await this.phase(rb, 'flush', 5, Number.POSITIVE_INFINITY, async () => false);
      await this.phase(rb, 'terminate', 6, Number.POSITIVE_INFINITY, () => this.terminate(rb));
    } finally {
      clearInterval(keepAlive);
      unlisten();
    }
    // Read once no executor thread can write its row any more: stats() says the same from now on.
    const report = rb.build(clock.now(), this.subject.stats(), this.force.fired);
    host.emit({ type: 'shutdown.completed', at: clock.now(), report });
    host.events.complete();
    host.deadLetters.complete();
    return report;
  }

  /** Hooks (bounded by the phase's budget), then the runtime's step; a failure of either is recorded. */
  private async phase(
    rb: ReportBuilder,
    phase: ShutdownPhase,
    step: number,
    deadline: number,
    work: Step,
  ): Promise<void> {
    const { host } = this.subject;
    const clock = host.clock;
    const start = clock.now();
    host.emit({ type: 'shutdown.phase-started', at: start, phase, step });
    const failures = await this.hooks.run(phase, rb.reason, Math.max(0, deadline - start), clock, this.force);
    for (const f of failures) {
      rb.hookFailures.push(f);
      host.emit({ type: 'shutdown.hook-failed', at: clock.now(), ...f });
    }
    let timedOut = false;
    try {
      timedOut = await work();
    } catch (error) {
      const f = { phase, hook: 'runtime', kind: 'failed' as const, error, afterMs: clock.now() - start };
      rb.hookFailures.push(f);
      host.emit({ type: 'shutdown.hook-failed', at: clock.now(), ...f });
    }
    const durationMs = clock.now() - start;
    rb.phases.push({ phase, step, durationMs, hooks: this.hooks.count(phase), timedOut });
    host.emit({ type: 'shutdown.phase-completed', at: clock.now(), phase, step, durationMs, timedOut });
  }

  /** Phase 1. */
  private async stopIntake(rb: ReportBuilder, deadline: number): Promise<boolean> {
    this.subject.host.accepting = false;
    let answered = true;
    const ex = this.executors;
    if (ex !== null) {
      // A stuck executor never answers: it may cost phase 1 a quarter of the budget, not all of it.
      const clock = this.subject.host.clock;
      const by = clock.now() + (deadline - clock.now()) / 4;
      answered = (await this.ask(ex.stopIntake(this.answerMs(by)))) === true;
      // Executors no longer hand actors to each other now: a synced count is exact. Only those that
      // answered are asked, so this one gets its own bound.
      if (ex.sync !== undefined)
        answered = (await this.ask(ex.sync(this.answerMs(deadline)))) === true && answered;
    }
    rb.actorsAtIntakeClosed = this.subject.stats().actors;
    return !answered;
  }

  /** Phase 2. */
  private async drain(o: ResolvedShutdown, t0: number, deadline: number): Promise<boolean> {
    const { host } = this.subject;
    const ex = this.executors;
    if (o.drain && !this.force.fired) {
      const clock = host.clock;
      const end = t0 + o.drainTimeoutMs;
      // Work held by a silent executor never drains; waiting for it would only eat the stop budget.
      const quiet = (): boolean => this.subject.stats().inFlight - (ex?.heldBySilent?.() ?? 0) <= 0;
      for (;;) {
        const w = await until(quiet, end - clock.now(), clock, this.force);
        if (w.kind !== 'done') return w.kind === 'timeout';
        // Quiet on a board that lags a tick proves nothing: confirm after a sync.
        if (ex?.sync === undefined) return false;
        const s = await within(ex.sync(this.answerMs(end)), end - clock.now(), clock, this.force);
        if (s.kind !== 'done') return s.kind === 'timeout';
        if (quiet()) return false;
      }
    }
    for (const cell of host.cells.values()) {
      if (cell.mailbox.length === 0) continue;
      for (const [msg, meta] of cell.takeMailbox()) host.deadLetter(msg, meta, 'shutdown', cell);
    }
    if (ex === null) return false;
    return (await this.ask(ex.dropQueued(this.answerMs(deadline)))) !== true;
  }

  /**
   * Phase 3: every tree at once, requests newest first. True when time ran
   * out before every actor was asked to stop or had stopped.
   */
  private async stopAll(rb: ReportBuilder, deadline: number): Promise<boolean> {
    const ex = this.executors;
    // A later pass picks up stragglers: an actor that was migrating when the
    // first list was taken (its parent's stop no longer reaches it, and it
    // arrives as a root on the thief). No migration starts after phase 1, so
    // the passes end; in-thread the second list is empty at once.
    for (let pass = 0; pass < STOP_PASSES; pass++) {
      if (this.outOfTime(deadline)) return !this.force.fired;
      // A sync round trip between passes gives a migration in flight time to land.
      if (pass > 0 && ex?.sync !== undefined) await this.ask(ex.sync(this.answerMs(deadline)));
      const local = [...this.subject.host.roots].map(cellNode);
      let found = local.length;
      const stops = this.stopEach(local, rb, deadline);
      // Each executor's actors start stopping when it names them; a silent one is left to phase 4.
      if (ex !== null)
        for (const named of ex.roots(this.answerMs(deadline)))
          stops.push(
            this.ask(named).then((nodes) => {
              if (nodes === undefined) return;
              found += nodes.length;
              return Promise.all(this.stopEach(nodes, rb, deadline)).then(() => {});
            }),
          );
      await Promise.all(stops);
      if (found === 0) return false;
    }
    return this.outOfTime(deadline) && !this.force.fired;
  }

  /** Starts stopping `nodes` (start order) concurrently, newest first. */
  private stopEach(nodes: readonly StopNode[], rb: ReportBuilder, deadline: number): Promise<void>[] {
    const out: Promise<void>[] = [];
    for (let i = nodes.length - 1; i >= 0; i--) out.push(this.stopTree(nodes[i]!, rb, deadline));
    return out;
  }

  /**
   * An executor request's bound, never past `by`: ANSWER_MS, or an eighth of
   * what is left when that is more — a long budget is for a loaded machine,
   * where a healthy executor may take seconds to answer.
   */
  private answerMs(by: number): number {
    const left = by - this.subject.host.clock.now();
    return Math.max(0, Math.min(left, Math.max(ANSWER_MS, left / 8)));
  }

  /**
   * Waits for a port call, abandoned when the shutdown is forced; undefined
   * when it failed or was abandoned. The port bounds its own requests.
   */
  private async ask<T>(p: Promise<T>): Promise<T | undefined> {
    const o = await unlessAborted(p, this.force);
    return o.kind === 'done' ? o.value : undefined;
  }

  private outOfTime(deadline: number): boolean {
    return this.force.fired || this.subject.host.clock.now() >= deadline;
  }

  /** Children newest first, then the node itself within its own shutdownMs; an overrun is killed. */
  private async stopTree(node: StopNode, rb: ReportBuilder, deadline: number): Promise<void> {
    const kids = node.children();
    for (let i = kids.length - 1; i >= 0; i--) {
      if (this.outOfTime(deadline)) return;
      await this.stopTree(kids[i]!, rb, deadline);
    }
    if (!node.alive() || this.outOfTime(deadline)) return;
    const clock = this.subject.host.clock;
    const budget = Math.min(node.shutdownMs, deadline - clock.now());
    const stopped = node.stop('shutdown');
    // Fast path: an idle actor with a synchronous onStop is gone once the
    // dispatcher's pending microtask drain has run — no clock timer needed,
    // which keeps stopping 100k actors cheap.
    for (let i = 0; i < QUICK_HOPS && node.alive(); i++) await undefined;
    if (!node.alive()) return;
    const o = await within(stopped, budget, clock, this.force);
    if (o.kind === 'done' || !node.alive()) return;
    const cause = o.kind === 'aborted' ? 'forced' : clock.now() >= deadline ? 'deadline' : 'shutdown-timeout';
    await this.kill(rb, node, cause);
  }

  /**
   * Kills a tree. A local one reports every actor it takes down through the
   * kernel's onKilled hook (kills.ts), synchronously (so `killCause` is right for it even
   * while other trees stop concurrently); one on an executor by its answer.
   */
  private async kill(rb: ReportBuilder, node: StopNode, cause: ForcedActor['cause']): Promise<void> {
    this.killCause = cause;
    let killed: ReturnType<StopNode['kill']>;
    try {
      killed = node.kill('shutdown');
    } finally {
      this.killCause = 'shutdown-timeout';
    }
    if (killed !== undefined) for (const k of await killed) this.recordForced(rb, k.actor, cause, k.onStop);
  }

  private recordForced(
    rb: ReportBuilder,
    actor: ActorDescription,
    cause: ForcedActor['cause'],
    onStop: OnStopFate,
  ): void {
    const { host } = this.subject;
    rb.forced.push({ actor, cause, onStop });
    host.emit({ type: 'shutdown.actor-forced', at: host.clock.now(), actor, cause, onStop });
  }

  /** Phase 4: whatever is left, here and on executors. */
  private async killAll(rb: ReportBuilder): Promise<boolean> {
    const { host } = this.subject;
    const cause = this.force.fired ? 'forced' : 'deadline';
    if (!this.force.fired && host.roots.size > 0) {
      const left = [...host.roots];
      for (let i = left.length - 1; i >= 0; i--) left[i]!.requestStop('shutdown');
      await new Promise<void>((r) => setImmediate(r));
    }
    const roots = [...host.roots];
    for (let i = roots.length - 1; i >= 0; i--) await this.kill(rb, cellNode(roots[i]!), cause);
    // Cells not under a root (a parent already gone mid-stop) would otherwise survive.
    for (const cell of [...host.cells.values()] as ActorCell[]) await this.kill(rb, cellNode(cell), cause);
    if (this.executors === null) return false;
    const k = await within(
      this.executors.killAll('shutdown', KILL_MS),
      KILL_MS + TERMINATE_MS, // the answer, then terminating a stuck executor
      host.clock,
      new Latch(),
    );
    if (k.kind !== 'done') return true;
    for (const a of k.value.killed) this.recordForced(rb, a.actor, cause, a.onStop);
    for (const t of k.value.terminated) {
      rb.terminatedExecutors.push(t.executor);
      if (t.running !== undefined)
        this.recordForced(rb, t.running.actor, 'executor-terminated', t.running.onStop);
      rb.unnamedDown += Math.max(0, t.actors - (t.running === undefined ? 0 : 1));
    }
    return false;
  }

  /** Phase 6. */
  private async terminate(rb: ReportBuilder): Promise<boolean> {
    if (this.executors === null) return false;
    const clock = this.subject.host.clock;
    // Rows as of the executors' last message, not their last tick: the report reads them after this.
    if (this.executors.sync !== undefined)
      await within(this.executors.sync(SYNC_MS), SYNC_MS, clock, new Latch());
    const o = await within(this.executors.terminateAll(), TERMINATE_MS, clock, new Latch());
    if (o.kind === 'done') return false;
    rb.hookFailures.push({
      phase: 'terminate',
      hook: 'executors',
      kind: o.kind === 'failed' ? 'failed' : 'timeout',
      error: o.kind === 'failed' ? o.error : undefined,
      afterMs: TERMINATE_MS,
    });
    return true;
  }
}
