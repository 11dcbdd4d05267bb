/**
 * A pool's workers: spawning them (placed `spread` over the executors),
 * handing out the next worker with room, growing toward `max` under a
 * backlog, retiring idle ones above `min` after `idleTimeoutMs`, and resizing.
 *
 * A worker with room is one not retiring whose handed, unanswered tasks are
 * fewer than the pool's window (pool.ts). Each worker owns a row (slot) of the
 * pool's board from spawn until its actor has stopped.
 */
import type { Clock, TimerHandle } from '../../kernel/clock.ts';
import type { ActorDefinition } from '../../kernel/definition.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import type { PoolBoard } from './board.ts';
import { MAX_WORKERS } from './options.ts';
import type { Task } from './task.ts';
import type { TaskRef } from './task-source.ts';
import { PoolWorker, type RunMsg, type WorkerProps } from './worker.ts';

export class WorkerHandle {
  /** Tasks handed to it and not answered yet, by dispatch number, in the order handed. */
  readonly handed = new Map<number, Task>();
  retiring = false;
  lost = false;
  idleSince: number;

  constructor(
    readonly ref: ActorRef<RunMsg>,
    readonly slot: number,
    now: number,
  ) {
    this.idleSince = now;
  }

  get inflight(): number {
    return this.handed.size;
  }
}

/** What the pool lends its workers. */
export interface WorkersPort {
  readonly clock: Clock;
  spawn(def: ActorDefinition, props: unknown): Promise<ActorRef>;
  stop(ref: ActorRef): Promise<void>;
  warn(line: string): void;
  /** The set changed (a worker is ready or gone): the pool hands out work again. */
  changed(): void;
  /** No worker is left and none could be started: `error` says why. */
  none(error: unknown): void;
}

export class Workers {
  readonly list: WorkerHandle[] = [];
  private spawning = 0;
  private cursor = 0;
  private readonly slots: number[] = [];
  private idleTimer: TimerHandle | null = null;
  /** Stopping workers (retired, or all at close): close awaits them. */
  private readonly stopping = new Set<Promise<void>>();
  closed = false;

  constructor(
    private readonly port: WorkersPort,
    private readonly props: Omit<WorkerProps, 'slot'>,
    private readonly board: PoolBoard,
    public min: number,
    public max: number,
    private readonly idleTimeoutMs: number,
  ) {
    for (let s = MAX_WORKERS - 1; s >= 0; s--) this.slots.push(s);
  }

  static props(pool: string, name: string, task: TaskRef): Omit<WorkerProps, 'slot'> {
    return { pool, name, task };
  }

  /** Live workers (not lost; retiring ones included until they stop). */
  get count(): number {
    return this.list.length;
  }

  get active(): number {
    let n = 0;
    for (const w of this.list) if (w.inflight > 0) n++;
    return n;
  }

  /** The next worker with room (round robin, so work spreads), or null. */
  pick(window: number): WorkerHandle | null {
    const l = this.list;
    const n = l.length;
    for (let i = 0; i < n; i++) {
      const w = l[(this.cursor + i) % n]!;
      if (w.inflight < window && !w.retiring) {
        this.cursor = (this.cursor + i + 1) % n;
        return w;
      }
    }
    return null;
  }

  /** Starts workers up to `min`; resolves once those started are ready. */
  ensureMin(): Promise<void> {
    const starts: Promise<void>[] = [];
    while (!this.closed && this.list.length + this.spawning < this.min) starts.push(this.spawn());
    return Promise.all(starts).then(() => undefined);
  }

  /** A backlog and no room: one more worker, up to `max` (one start at a time). */
  grow(): void {
    if (!this.closed && this.spawning === 0 && this.live() < this.max) void this.spawn();
  }

  private live(): number {
    let n = this.spawning;
    for (const w of this.list) if (!w.retiring) n++;
    return n;
  }

  private async spawn(): Promise<void> {
    const slot = this.slots.pop();
    if (slot === undefined) return;
    this.spawning++;
    this.board.clear(slot);
    try {
      const ref = (await this.port.spawn(PoolWorker, { ...this.props, slot })) as ActorRef<RunMsg>;
      if (this.closed) {
        this.stop(new WorkerHandle(ref, slot, this.port.clock.now()));
        return;
      }
      this.list.push(new WorkerHandle(ref, slot, this.port.clock.now()));
    } catch (e) {
      this.slots.push(slot);
      this.port.warn(`troupe: pool "${this.props.name}" could not start a worker: ${String(e)}`);
      if (this.list.length === 0 && this.spawning === 1) this.port.none(e);
    } finally {
      this.spawning--;
      this.port.changed();
    }
  }

  /** `w` answered its last handed task: retire it if it was retiring, else note it idle. */
  idle(w: WorkerHandle): void {
    w.idleSince = this.port.clock.now();
    if (w.retiring) this.stop(w);
    else if (this.list.length > this.min) this.armIdle();
  }

  /** `w` is gone with its thread (or stopped under the pool): its row is free, a replacement starts. */
  lost(w: WorkerHandle): void {
    w.lost = true;
    this.remove(w);
    this.board.clear(w.slot);
    this.slots.push(w.slot);
    void this.ensureMin();
  }

  /** New bounds; surplus workers retire (idle ones at once, busy ones when they have answered). */
  resize(min: number, max: number): void {
    this.min = min;
    this.max = max;
    void this.ensureMin();
    let surplus = this.live() - max;
    for (const w of [...this.list].sort((a, b) => a.inflight - b.inflight)) {
      if (surplus <= 0) break;
      if (w.retiring) continue;
      w.retiring = true;
      surplus--;
      if (w.inflight === 0) this.stop(w);
    }
  }

  /** Stops every worker (close, destroy); resolves once all have stopped. */
  async stopAll(): Promise<void> {
    this.closed = true;
    if (this.idleTimer !== null) this.port.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
    for (const w of [...this.list]) this.stop(w);
    while (this.stopping.size > 0 || this.spawning > 0) {
      await Promise.all([...this.stopping]);
      if (this.spawning > 0) await new Promise<void>((r) => setImmediate(r));
    }
  }

  private stop(w: WorkerHandle): void {
    this.remove(w);
    const p = this.port
      .stop(w.ref)
      .catch(() => {})
      .then(() => {
        this.board.clear(w.slot);
        this.slots.push(w.slot);
        this.stopping.delete(p);
      });
    this.stopping.add(p);
    this.port.changed();
  }

  private remove(w: WorkerHandle): void {
    const i = this.list.indexOf(w);
    if (i >= 0) this.list.splice(i, 1);
  }

  private armIdle(ms = this.idleTimeoutMs): void {
    if (this.idleTimer !== null || this.closed) return;
    const clock = this.port.clock;
    this.idleTimer = clock.setTimeout(() => {
      this.idleTimer = null;
      const now = clock.now();
      let next = Number.POSITIVE_INFINITY;
      for (const w of [...this.list]) {
        if (this.list.length <= this.min) break;
        if (w.inflight > 0 || w.retiring) continue;
        const left = w.idleSince + this.idleTimeoutMs - now;
        if (left <= 0) this.stop(w);
        else next = Math.min(next, left);
      }
      if (next !== Number.POSITIVE_INFINITY && this.list.length > this.min) this.armIdle(next);
    }, ms);
  }
}
