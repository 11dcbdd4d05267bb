/**
 * Adaptive pool on the main thread: samples the board every `SAMPLE_MS` and
 * acts on the scheduler's PoolPolicy (adaptive.ts in @troupe/scheduler) —
 * starts an executor on sustained backlog, retires one idle past
 * `idleTimeoutMs`.
 *
 * Retirement protocol:
 * 1. The board marks the executor as leaving (no new placements, no steals
 *    from it) and it is asked to vacate: it stops stealing and migrates its
 *    actors to the other executors.
 * 2. It answers whether it is empty: no actor left, no open migration
 *    handshake and no live actor born there (it is their directory).
 * 3. Empty: the pool terminates it; its counters stay in `stats()`.
 *    Not empty (pinned or unportable actors, or actors born there still
 *    alive elsewhere): it returns to service and is asked again after
 *    another idle timeout.
 */
import {
  assignGroups,
  type Board,
  type PoolPolicy,
  REQ_PUBLISH,
  REQ_UNVACATE,
  REQ_VACATE,
  SLOT,
  type Topology,
} from '@troupe/scheduler';
import { ActorStoppedError } from '../kernel/errors.ts';
import type { Host } from '../kernel/host.ts';

export const SAMPLE_MS = 20;

/** What growing and retiring need from the threaded runtime (runtime.ts). */
export interface AdaptivePool {
  readonly host: Host;
  readonly board: Board;
  readonly topology: Topology;
  /** Executors leaving or retired: their counters still count in `stats()`. */
  readonly retired: Set<number>;
  request<T>(node: number, op: number, args: unknown[], timeoutMs: number): Promise<T>;
  /** Starts an executor in `group`; resolves with its node. */
  replace(group: number): Promise<number>;
  /** Step 3: ends `node`'s thread, now empty; what still waits for its answer settles with `error`. */
  end(node: number, error: () => unknown): Promise<void>;
}

export class AdaptiveRunner {
  private readonly timer: ReturnType<typeof setInterval>;
  private busy = false;

  constructor(
    private readonly policy: PoolPolicy,
    private readonly pool: AdaptivePool,
  ) {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  private sample(): void {
    if (this.busy) return;
    const d = this.policy.sample(performance.now());
    if (d === null) return;
    this.busy = true;
    const done = () => {
      this.busy = false;
    };
    if ('grow' in d) void this.grow().then(done, done);
    else void this.retire(d.retire).then(done, done);
  }

  /** One more executor, in the group that has the fewest for its size. */
  private async grow(): Promise<number> {
    const { board, host, topology } = this.pool;
    const live = board.executors();
    const groups = assignGroups(live.length + 1, topology);
    const node = await this.pool.replace(groups[groups.length - 1]!);
    host.emit({ type: 'executor.started', at: host.clock.now(), executor: node, reason: 'backlog' });
    return node;
  }

  /** Steps 1–3 for `node`; false when it must stay. */
  private async retire(node: number): Promise<boolean> {
    const { board, host, retired } = this.pool;
    const others = board.executors().filter((n) => n !== node);
    if (others.length === 0 || !host.accepting) return false;
    board.set(node, SLOT.alive, 2); // leaving: no placements, not a victim
    retired.add(node);
    let verdict: { empty: boolean } = { empty: false };
    for (let i = 0; i < 10 && !verdict.empty; i++) {
      verdict = await this.pool.request<{ empty: boolean }>(node, REQ_VACATE, [others], 2000).catch(() => ({
        empty: false,
      }));
      if (!verdict.empty) await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
    if (!verdict.empty || !host.accepting) {
      retired.delete(node);
      board.set(node, SLOT.alive, 1);
      await this.pool.request(node, REQ_UNVACATE, [], 2000).catch(() => {});
      return false;
    }
    await this.pool.request(node, REQ_PUBLISH, [], 2000).catch(() => {});
    board.set(node, SLOT.alive, 0);
    // Its thread is gone: what still waits for its answer (a sync) settles now, not at its timeout.
    await this.pool.end(node, () => new ActorStoppedError({ id: 0, def: `executor ${node}` }, 'retired'));
    host.emit({ type: 'executor.retired', at: host.clock.now(), executor: node, reason: 'idle' });
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
