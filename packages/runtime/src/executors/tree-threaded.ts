/**
 * `system.start(spec)` on a system with executors: the whole tree (its
 * supervisors and their workers) lives on ONE executor, placed by 'spread';
 * the main thread keeps the root guardian and talks to the tree by frames.
 *
 * Why one executor per tree: the tree starts with every parent/child link
 * local and behaves exactly as in-thread; several trees spread over the
 * executors. Workers may move later (stealing, `system.migrate`): their
 * supervision then crosses as data (executors/links.ts); supervisors stay.
 *
 * Protocol (main thread M, executor E):
 * 1. M validates the spec and turns it into data (`specToWire`: actors by
 *    name, decider tables; a function anywhere is a ConfigError naming its
 *    path), picks E by 'spread' and exports two asks that E settles later:
 *    `started` and `failed` (both rejected at once if E is lost).
 * 2. M requests `REQ_START_TREE` on E with the wire spec, the name and both ask
 *    ids; E resolves the spec against its own definitions (a typo rejects the
 *    request), spawns the top supervisor with a `RemoteRoot` as its root
 *    guardian and answers with its ref.
 * 3. When every supervisor of the tree has started, E settles `started`;
 *    `system.start` resolves with a handle whose operations are asks to the
 *    top supervisor (location-transparent refs).
 * 4. A failure before step 3 stops the supervisor and rejects `started`
 *    (`system.start` rejects). A failure after it stops the supervisor and,
 *    once it has stopped, rejects `failed` with the error.
 * 5. M reacts as the in-thread root does (tree.ts): `restart` runs step 1–2
 *    again (possibly on another executor) within the root's intensity window;
 *    otherwise, or past the window, it shuts the system down and resolves
 *    `whenFailed()` with the report. A lost E counts as a tree failure
 *    (ActorStoppedError executor-crashed / executor-hung).
 */

import { REQ_START_TREE } from '@troupe/scheduler';
import { SupervisorActor } from '../features/supervision/behavior.ts';
import {
  type ChildSpecInput,
  checkActors,
  isSupervisorSpec,
  type SupervisorSpec,
  type SupervisorSpecInput,
  specSource,
  supervisor,
} from '../features/supervision/spec.ts';
import type { TreeParent } from '../features/supervision/supervisor.ts';
import {
  checkStart,
  RootGuardian,
  type ShutdownFn,
  type StartOptions,
  type SupervisorHandle,
} from '../features/supervision/tree.ts';
import type { ActorCell } from '../kernel/cell.ts';
import { isActorDefinition } from '../kernel/definition.ts';
import { ConfigError } from '../kernel/errors.ts';
import type { Host } from '../kernel/host.ts';
import type { ActorRef } from '../kernel/ref.ts';
import { checkPortable } from '../kernel/snapshot.ts';
import type { ThreadLink } from './link.ts';

/** What a tree on an executor needs from the threaded runtime (runtime.ts, which imports this file). */
export interface TreeRuntime {
  /** The executor a new tree goes to. */
  place(placement: 'spread', path: string): number;
  /** An exported ask the executor settles later; rejected at once when it is lost. */
  awaitFrom<T>(node: number): { askId: number; promise: Promise<T> };
  request<T>(node: number, op: number, args: unknown[]): Promise<T>;
}

const PORTABLE =
  'data that can cross to an executor thread (actors by name or exported definition, a decider table; no functions)';

/** Step 1: the spec as plain data, from the input it was resolved from. */
export function specToWire(spec: SupervisorSpec, input: unknown): unknown {
  const src = isSupervisorSpec(input) ? specSource(input) : input;
  if (src === undefined)
    throw new ConfigError('system.start(spec)', 'a spec made by supervisor() or given as an object', spec.id);
  const wire = supervisorToWire(src);
  const p = checkPortable(wire, 'spec');
  if (p !== undefined) throw new ConfigError(`system.start(${p.path})`, PORTABLE, p.found);
  return wire;
}

/** `handle.startChild(spec)` with executors: definitions by name, nested specs as their input. */
export function childToWire(spec: ChildSpecInput): ChildSpecInput {
  return (supervisorToWire({ children: [spec] }) as { children: ChildSpecInput[] }).children[0]!;
}

function supervisorToWire(input: unknown): unknown {
  if (isSupervisorSpec(input)) {
    const src = specSource(input);
    if (src === undefined) return input; // checkPortable names its functions
    return supervisorToWire(src);
  }
  if (input === null || typeof input !== 'object') return input;
  const o = input as Record<string, unknown>;
  const children = o.children;
  if (!Array.isArray(children)) return o;
  return {
    ...o,
    children: children.map((c: unknown) => {
      if (c === null || typeof c !== 'object') return c;
      const child = c as Record<string, unknown>;
      if (child.supervisor !== undefined) return { ...child, supervisor: supervisorToWire(child.supervisor) };
      if (isActorDefinition(child.actor)) return { ...child, actor: child.actor.name };
      return child;
    }),
  };
}

/** Main thread: the root guardian of a tree that runs on an executor. */
class ThreadedTreeRoot extends RootGuardian {
  private generation = 0;

  constructor(
    private readonly rt: TreeRuntime,
    host: Host,
    spec: SupervisorSpec,
    private readonly wire: unknown,
    options: StartOptions,
    shutdown: ShutdownFn,
  ) {
    super(host, spec, options, shutdown, childToWire);
    // When step 2 itself fails the caller gets that error and nobody awaits started$.
    this.started$.catch(() => {});
  }

  /** Steps 1–2; rejects when no executor could start the tree. */
  async spawn(): Promise<void> {
    const gen = ++this.generation;
    const node = this.rt.place('spread', 'system.start');
    const started = this.rt.awaitFrom<null>(node);
    const failed = this.rt.awaitFrom<never>(node);
    let over = false;
    const fail = (error: unknown) => {
      // During shutdown the coordinator stops the tree; an executor ending then is no tree failure.
      if (over || gen !== this.generation || (this.isStarted && !this.host.accepting)) return;
      over = true;
      this.failed(error);
    };
    started.promise.then(() => {
      if (gen === this.generation) this.markStarted();
    }, fail);
    failed.promise.catch(fail);
    try {
      this.ref = await this.rt.request<ActorRef>(node, REQ_START_TREE, [
        this.wire,
        this.options.name ?? null,
        started.askId,
        failed.askId,
      ]);
    } catch (e) {
      over = true; // the caller gets this error; the two exports may still settle (executor lost): ignored
      throw e;
    }
  }

  /** Steps 4–5 on the main thread (the executor already stopped the supervisor). */
  private failed(error: unknown): void {
    if (!this.isStarted) {
      this.rejectStart(error);
      return;
    }
    const at = this.host.clock.now();
    const restart = this.mayRestart(at) && this.host.accepting;
    this.noteTreeFailed(this.ref, error, restart);
    void (async () => {
      if (restart) {
        try {
          this.restarts++;
          await this.spawn();
          this.noteTreeRestarted();
          return;
        } catch {
          // No executor could take the tree again: give up on it as stop-system does.
        }
      }
      await this.giveUp(error, at);
    })();
  }
}

/** `system.start` with executors: validates on the main thread, then steps 1–3. */
export async function startThreadedTree(
  rt: TreeRuntime,
  host: Host,
  input: SupervisorSpec | SupervisorSpecInput,
  options: StartOptions | undefined,
  shutdown: ShutdownFn,
): Promise<SupervisorHandle> {
  const { spec, options: o } = checkStart(host, input, options);
  const root = new ThreadedTreeRoot(rt, host, spec, specToWire(spec, input), o, shutdown);
  await root.spawn();
  return root.started$;
}

/** Executor side: the root guardian's stand-in, reporting to the main thread (steps 3–4). */
class RemoteRoot implements TreeParent {
  ref: ActorRef | null = null;
  private isStarted = false;

  constructor(
    private readonly link: ThreadLink,
    private readonly startedId: number,
    private readonly failedId: number,
  ) {}

  started(ref: ActorRef): void {
    if (ref !== this.ref || this.isStarted) return;
    this.isStarted = true;
    this.link.settle(0, this.startedId, true, null);
  }

  failed(ref: ActorRef, error: unknown): void {
    if (ref !== this.ref) return;
    const cell = ref.cell as ActorCell;
    cell.requestStop('failed');
    if (!this.isStarted) {
      this.link.settle(0, this.startedId, false, error);
      this.link.settle(0, this.failedId, false, error); // frees the main thread's export; ignored there
      return;
    }
    void cell.whenStopped().then(() => this.link.settle(0, this.failedId, false, error));
  }
}

/** Executor side of step 2: the `start-tree` request; returns the top supervisor's ref. */
export function startTreeHere(host: Host, link: ThreadLink, args: unknown[]): ActorRef {
  const [wire, name, startedId, failedId] = args as [SupervisorSpecInput, string | null, number, number];
  const spec = supervisor(wire);
  checkActors(spec, host.definitions);
  const root = new RemoteRoot(link, startedId, failedId);
  const ref = host.spawnLocal(SupervisorActor, { spec, root }, name === null ? undefined : { name }, null);
  root.ref = ref;
  return ref;
}
