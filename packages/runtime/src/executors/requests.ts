/**
 * Requests from the main thread to one executor (spawn, publish, start-tree,
 * shutdown's operations, recovery's questions), answered by an F_SETTLE of
 * an exported ask.
 *
 * 1. A request exports a PendingAsk and posts `[F_REQ, askId, op, ...args]`;
 *    the executor answers by settling that ask. It rejects with a
 *    ConfigError when no answer comes within its timeout.
 * 2. `awaitFrom` exports an ask with no timeout that a later frame from the
 *    executor settles (a supervision tree's `started` / `failed`).
 * 3. Both are kept per executor until they settle: when the executor is
 *    lost or retired, `fail` rejects what still waits at once, never at its
 *    timeout.
 */
import { F_REQ, REQUEST_NAMES } from '@troupe/scheduler';
import { PendingAsk } from '../kernel/ask.ts';
import { ConfigError } from '../kernel/errors.ts';
import type { Host } from '../kernel/host.ts';

export class ExecutorRequests {
  /** Asks awaiting an executor's answer, by executor. */
  private readonly pending = new Map<number, Set<PendingAsk>>();

  constructor(
    private readonly host: Host,
    private readonly post: (node: number, frame: unknown[]) => void,
    private readonly defaultTimeoutMs: number,
  ) {}

  /** Step 1: sends a request to an executor and resolves with its answer. */
  request<T>(node: number, op: number, args: unknown[], timeoutMs = this.defaultTimeoutMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending = this.of(node);
      const a: PendingAsk = new PendingAsk(resolve, reject, undefined, this.host.timers, () =>
        pending.delete(a),
      );
      pending.add(a);
      a.timer = this.host.timers.setTimeout(
        () =>
          a.reject(
            new ConfigError(
              `executor ${node}`,
              `an answer to ${REQUEST_NAMES[op] ?? op} within ${timeoutMs} ms`,
              'none',
            ),
          ),
        timeoutMs,
      );
      const askId = this.host.exportAsk(a);
      try {
        this.post(node, [F_REQ, askId, op, ...args]);
      } catch (e) {
        a.reject(e);
      }
    });
  }

  /** Step 2: an exported ask with no timeout that a frame from `node` settles later. */
  awaitFrom<T>(node: number): { askId: number; promise: Promise<T> } {
    let askId = 0;
    const promise = new Promise<T>((resolve, reject) => {
      const pending = this.of(node);
      const a: PendingAsk = new PendingAsk(resolve, reject, undefined, this.host.clock, () =>
        pending.delete(a),
      );
      pending.add(a);
      askId = this.host.exportAsk(a);
    });
    return { askId, promise };
  }

  /** Step 3: `node` is gone; what still waits for its answer rejects with `error(node)` now. */
  fail(node: number, error: () => unknown): void {
    const pending = this.pending.get(node);
    this.pending.delete(node);
    for (const a of pending ?? []) a.reject(error());
  }

  private of(node: number): Set<PendingAsk> {
    let pending = this.pending.get(node);
    if (pending === undefined) this.pending.set(node, (pending = new Set()));
    return pending;
  }
}
