/**
 * The executor pool (main-thread side): starts worker threads, wires every
 * pair of nodes with a MessageChannel (a full mesh, so executors talk to each
 * other without the main thread in the path), and terminates them.
 *
 * Startup protocol:
 * 1. For the new executor, one MessageChannel per existing node; the
 *    executor gets its ends in `workerData` (transferred), every existing
 *    executor gets its end by a `connect` control message on its parentPort.
 * 2. The executor imports the actor module, builds its host and posts
 *    `{ type: 'ready' }` — or `{ type: 'failed', error }` and exits.
 * 3. `start` resolves with the executor, or rejects with an
 *    `ExecutorStartError` carrying the cause (the failure of the import, an
 *    uncaught error, or an exit before ready). A failed executor is not
 *    respawned: a module that cannot load will not load the second time.
 *
 * Invariant: after `terminate()` resolves no worker thread of this pool is
 * running, so the process can exit.
 */
import {
  MessageChannel,
  type MessagePort,
  type ResourceLimits,
  Worker,
  type WorkerOptions,
} from 'node:worker_threads';

export class ExecutorStartError extends Error {
  constructor(
    readonly node: number,
    readonly detail: string,
    cause: unknown,
  ) {
    super(`executor ${node} failed to start: ${detail}`, { cause });
    this.name = 'ExecutorStartError';
  }
}

export interface ExecutorHandle {
  readonly node: number;
  readonly group: number;
  readonly worker: Worker;
  readonly threadId: number;
  /** The main thread's end of the channel to this executor. */
  readonly port: MessagePort;
}

export interface PoolOptions {
  /** Module the worker runs (the runtime's executor entry). */
  readonly entry: URL;
  /**
   * URL of `tsx/esm/api` when the entry or the actor module is TypeScript:
   * the worker registers it before importing the entry. (`--import tsx` in a
   * worker's execArgv does not install tsx's hooks before the entry loads.)
   */
  readonly tsx?: string | undefined;
  readonly execArgv?: readonly string[];
  /** V8 limits per executor; one that exceeds them dies ('error' then 'exit') and is reported by onExit. */
  readonly resourceLimits?: ResourceLimits | undefined;
  /** Extra data every executor receives. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly startupTimeoutMs?: number;
  /** A control message an executor posted on its parentPort after it was ready. */
  readonly onControl?: (node: number, msg: unknown) => void;
  /** An executor exited or crashed after it was ready. */
  readonly onExit?: (node: number, code: number, error: unknown) => void;
}

interface Ready {
  type: 'ready';
}
interface Failed {
  type: 'failed';
  error: string;
}

export class ExecutorPool {
  readonly executors = new Map<number, ExecutorHandle>();
  /** Main's ends, by executor node. */
  private readonly mainPorts = new Map<number, MessagePort>();
  /** Every worker not yet gone, ready or still starting (they are wired as soon as they exist). */
  private readonly workers = new Map<number, Worker>();
  private terminating = false;

  constructor(private readonly options: PoolOptions) {}

  /** Starts executor `node` in `group` (steps 1–3). */
  start(node: number, group: number): Promise<ExecutorHandle> {
    const ports: Record<number, MessagePort> = {};
    const transfer: MessagePort[] = [];
    const pending: Array<[Worker, MessagePort]> = [];
    const main = new MessageChannel();
    ports[0] = main.port2;
    transfer.push(main.port2);
    for (const [otherNode, other] of this.workers) {
      const ch = new MessageChannel();
      ports[otherNode] = ch.port1;
      transfer.push(ch.port1);
      pending.push([other, ch.port2]);
    }
    const tsx = this.options.tsx;
    const script =
      tsx === undefined
        ? this.options.entry
        : `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(this.options.entry.href)}); }).catch((e) => { require('node:worker_threads').parentPort.postMessage({ type: 'failed', error: String(e && e.stack || e) }); });`;
    const worker = startWorker(script, {
      eval: tsx !== undefined,
      execArgv: [...(this.options.execArgv ?? process.execArgv)],
      resourceLimits: this.options.resourceLimits,
      workerData: { ...this.options.data, node, group, ports },
      transferList: transfer,
      stdout: false,
      stderr: false,
    });
    this.workers.set(node, worker);
    // A port posted to a worker that is still starting waits in its queue until it listens.
    for (const [other, p] of pending) other.postMessage({ type: 'connect', node, port: p }, [p]);
    return new Promise<ExecutorHandle>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        fail('no ready signal within the startup timeout', undefined);
      }, this.options.startupTimeoutMs ?? 30_000);
      const fail = (detail: string, cause: unknown) => {
        if (ready) return;
        ready = true;
        clearTimeout(timer);
        main.port1.close();
        this.workers.delete(node);
        for (const other of this.workers.values()) other.postMessage({ type: 'disconnect', node });
        void worker.terminate();
        reject(new ExecutorStartError(node, detail, cause));
      };
      worker.on('message', (msg: Ready | Failed | unknown) => {
        const m = msg as Ready | Failed;
        if (!ready && m?.type === 'ready') {
          ready = true;
          clearTimeout(timer);
          const h: ExecutorHandle = { node, group, worker, threadId: worker.threadId, port: main.port1 };
          this.executors.set(node, h);
          this.mainPorts.set(node, main.port1);
          resolve(h);
          return;
        }
        if (!ready && m?.type === 'failed') {
          fail(m.error, m.error);
          return;
        }
        this.options.onControl?.(node, msg);
      });
      worker.on('error', (e) => {
        if (!ready) fail(e instanceof Error ? (e.stack ?? e.message) : String(e), e);
        else this.lost(node, 1, e);
      });
      worker.on('exit', (code) => {
        if (!ready) fail(`exited with code ${code} before it was ready`, undefined);
        else this.lost(node, code, undefined);
      });
    });
  }

  private lost(node: number, code: number, error: unknown): void {
    this.workers.delete(node);
    if (!this.executors.delete(node)) return;
    this.mainPorts.get(node)?.close();
    this.mainPorts.delete(node);
    for (const other of this.executors.values()) other.worker.postMessage({ type: 'disconnect', node });
    if (!this.terminating) this.options.onExit?.(node, code, error);
  }

  /** Stops one executor (pool shrink): the others drop their channel to it first. */
  async retire(node: number): Promise<void> {
    const h = this.executors.get(node);
    if (h === undefined) return;
    this.executors.delete(node);
    this.workers.delete(node);
    for (const other of this.workers.values()) other.postMessage({ type: 'disconnect', node });
    h.port.close();
    this.mainPorts.delete(node);
    await h.worker.terminate();
  }

  /** Terminates every executor; resolves when no worker thread of this pool runs. */
  async terminate(): Promise<void> {
    this.terminating = true;
    const all = [...this.workers.values()];
    for (const h of this.executors.values()) h.port.close();
    this.executors.clear();
    this.workers.clear();
    this.mainPorts.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }
}

/**
 * `new Worker`, minus the flags a worker may not take. Executors inherit the
 * process's flags, but Node refuses process-wide V8 flags (`--expose-gc`,
 * `--max-old-space-size`, …) in a worker's execArgv. Those apply to every
 * isolate already, so dropping them loses nothing; Node names them in the
 * error, which is the only list of them there is.
 */
function startWorker(script: string | URL, options: WorkerOptions & { execArgv: string[] }): Worker {
  try {
    return new Worker(script, options);
  } catch (e) {
    const m = /invalid execArgv flags: (.+)$/.exec((e as Error).message);
    if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || m === null) throw e;
    const bad = new Set(m[1]!.split(', '));
    return new Worker(script, { ...options, execArgv: options.execArgv.filter((a) => !bad.has(a)) });
  }
}
