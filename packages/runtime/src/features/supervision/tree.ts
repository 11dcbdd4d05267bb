/**
 * `system.start(spec)`: a top-level supervision tree under the root
 * guardian, and the handle application code keeps.
 *
 * Root protocol:
 * 1. The top supervisor is spawned with no parent; `start` resolves once
 *    every supervisor in the tree has started its children (each reports to
 *    its parent by system message), and rejects if the tree fails while
 *    starting (a child failing at init fails the start, as in OTP).
 * 2. When the started tree fails upward (escalation), the root reacts as
 *    configured: `stop-system` (default, like a permanent OTP application)
 *    stops the tree, shuts the system down and resolves `whenFailed()` with a
 *    report; `restart` starts a fresh tree, bounded by its own intensity
 *    window, past which it falls back to `stop-system`.
 */
import type { ActorCell } from '../../kernel/cell.ts';
import { ConfigError } from '../../kernel/errors.ts';
import type { Host } from '../../kernel/host.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import { checkKeys } from '../../kernel/validate.ts';
import { SupervisorActor } from './behavior.ts';
import type { ChildStatus, ControlMessage } from './control.ts';
import { emitSupervisorNote } from './events.ts';
import { type IntensityOptions, IntensityWindow, resolveIntensity } from './intensity.ts';
import {
  type ChildSpecInput,
  checkActors,
  type SupervisorSpec,
  type SupervisorSpecInput,
  supervisor,
} from './spec.ts';
import type { TreeParent } from './supervisor.ts';

export interface StartOptions {
  /** What the root guardian does when the started tree fails upward. Default 'stop-system'. */
  readonly onFailure?: 'stop-system' | 'restart';
  /** With onFailure 'restart': how often the tree may restart. Default OTP's 1 in 5 s. */
  readonly intensity?: Partial<IntensityOptions>;
  /** Registers the top supervisor under this name. */
  readonly name?: string;
}

/** What `whenFailed()` resolves with once the root gave up on the tree. */
export interface TreeFailure {
  readonly tree: string;
  readonly error: unknown;
  readonly at: number;
  /** Times the root restarted the tree before giving up. */
  readonly restarts: number;
  /** The system's shutdown report (onFailure 'stop-system'). */
  readonly shutdown: unknown;
}

export type ShutdownFn = (reason: string) => Promise<unknown>;

/** Operations on a running supervisor, by message (valid wherever the supervisor runs). */
export class SupervisorHandle {
  /** @internal */
  constructor(
    private readonly current: () => ActorRef,
    readonly id: string,
    private readonly failure?: Promise<TreeFailure>,
    /** Threaded mode: turns a child spec into data that can cross to the supervisor's executor. */
    private readonly portable?: (spec: ChildSpecInput) => ChildSpecInput,
  ) {}

  /** The supervisor actor (a top-level tree restarted by the root gets a new one). */
  get ref(): ActorRef {
    return this.current();
  }

  private ask<R>(msg: ControlMessage): Promise<R> {
    return this.current().ask<R>(msg);
  }

  /** Every child in start order, with its status (OTP which_children). */
  children(): Promise<ChildStatus[]> {
    return this.ask({ type: 'troupe.supervisor.which-children' });
  }

  /** The live incarnation of child `id` (undefined while it has none: stopped, or between a respawn's exit and start). */
  async child<M = unknown>(id: string): Promise<ActorRef<M> | undefined> {
    const row = (await this.children()).find((c) => c.id === id);
    return row?.alive === true ? (row.ref as ActorRef<M> | undefined) : undefined;
  }

  /** A handle on the sub-supervisor `id`. */
  async supervisor(id: string): Promise<SupervisorHandle> {
    const row = (await this.children()).find((c) => c.id === id);
    if (row === undefined || row.kind !== 'supervisor' || row.ref === undefined || !row.alive)
      throw new ConfigError('supervisor(id)', `the id of a running sub-supervisor of "${this.id}"`, id);
    const ref = row.ref;
    return new SupervisorHandle(() => ref, id, undefined, this.portable);
  }

  startChild<M = unknown>(spec: ChildSpecInput): Promise<ActorRef<M>> {
    return this.ask({ type: 'troupe.supervisor.start-child', spec: this.portable?.(spec) ?? spec });
  }

  /** Stops the child (its spec stays, unless temporary); resolves once it has exited. */
  terminateChild(id: string): Promise<void> {
    return this.ask({ type: 'troupe.supervisor.terminate-child', id });
  }

  /** Starts a terminated child again from its spec. */
  restartChild<M = unknown>(id: string): Promise<ActorRef<M>> {
    return this.ask({ type: 'troupe.supervisor.restart-child', id });
  }

  /** Forgets a terminated child's spec. */
  deleteChild(id: string): Promise<void> {
    return this.ask({ type: 'troupe.supervisor.delete-child', id });
  }

  /** Resolves if the root gives up on this (top-level) tree; never for a sub-supervisor handle. */
  whenFailed(): Promise<TreeFailure> {
    return this.failure ?? new Promise<TreeFailure>(() => {});
  }
}

/**
 * What both root guardians (in-thread here, on the main thread for a tree on
 * an executor in tree-threaded.ts) keep alike: the start and failure
 * promises behind `system.start` and `whenFailed()`, the restart intensity
 * window, and the reports of root protocol step 2. Each subclass keeps its own
 * control flow, since the tree's supervisor stops locally in one and on an
 * executor in the other.
 */
export abstract class RootGuardian {
  ref!: ActorRef;
  protected isStarted = false;
  protected restarts = 0;
  private readonly window: IntensityWindow | null;
  private resolveStart!: (h: SupervisorHandle) => void;
  protected rejectStart!: (e: unknown) => void;
  private resolveFailure!: (f: TreeFailure) => void;
  readonly started$ = new Promise<SupervisorHandle>((res, rej) => {
    this.resolveStart = res;
    this.rejectStart = rej;
  });
  readonly failure = new Promise<TreeFailure>((res) => (this.resolveFailure = res));
  readonly handle: SupervisorHandle;

  constructor(
    protected readonly host: Host,
    protected readonly spec: SupervisorSpec,
    protected readonly options: StartOptions,
    private readonly shutdown: ShutdownFn,
    portable?: (spec: ChildSpecInput) => ChildSpecInput,
  ) {
    this.window =
      options.onFailure === 'restart'
        ? new IntensityWindow(resolveIntensity(options.intensity, 'system.start(options).intensity'))
        : null;
    this.handle = new SupervisorHandle(() => this.ref, spec.id, this.failure, portable);
    this.failure.catch(() => {});
  }

  /** Step 1 done: `system.start` resolves (once). */
  protected markStarted(): void {
    if (!this.isStarted) {
      this.isStarted = true;
      this.resolveStart(this.handle);
    }
  }

  /** Step 2: whether the intensity window allows restarting a tree that failed `at`. */
  protected mayRestart(at: number): boolean {
    return this.window?.add(at) === true;
  }

  protected noteTreeFailed(supervisor: ActorRef, error: unknown, restart: boolean): void {
    emitSupervisorNote(this.host, 'supervisor.tree-failed', {
      supervisor: supervisor.toJSON(),
      supervisorId: this.spec.id,
      error,
      action: restart ? 'restart' : 'stop-system',
    });
  }

  protected noteTreeRestarted(): void {
    emitSupervisorNote(this.host, 'supervisor.tree-restarted', {
      supervisor: this.ref.toJSON(),
      supervisorId: this.spec.id,
      restarts: this.restarts,
    });
  }

  /** Step 2, stop-system: shuts the system down, then resolves `whenFailed()` with its report. */
  protected async giveUp(error: unknown, at: number): Promise<void> {
    const report = await this.shutdown('supervision-tree-failed');
    this.resolveFailure({ tree: this.spec.id, error, at, restarts: this.restarts, shutdown: report });
  }
}

class TreeRoot extends RootGuardian implements TreeParent {
  spawn(): void {
    const o = this.options.name === undefined ? undefined : { name: this.options.name };
    this.ref = this.host.spawnLocal(SupervisorActor, { spec: this.spec, root: this }, o, null);
  }

  started(ref: ActorRef): void {
    if (ref !== this.ref) return;
    this.markStarted();
  }

  failed(ref: ActorRef, error: unknown): void {
    if (ref !== this.ref) return;
    const cell = ref.cell as ActorCell;
    if (!this.isStarted) {
      cell.requestStop('failed');
      this.rejectStart(error);
      return;
    }
    const at = this.host.clock.now();
    const restart = this.mayRestart(at);
    this.noteTreeFailed(ref, error, restart);
    cell.requestStop('failed');
    void cell.whenStopped().then(async () => {
      if (restart && this.host.accepting) {
        this.restarts++;
        this.spawn();
        this.noteTreeRestarted();
        return;
      }
      await this.giveUp(error, at);
    });
  }
}

/** Implements `system.start`: validates, resolves actor names, starts the tree. */
export function startTree(
  host: Host,
  input: SupervisorSpec | SupervisorSpecInput,
  options: StartOptions | undefined,
  shutdown: ShutdownFn,
): Promise<SupervisorHandle> {
  const { spec, options: o } = checkStart(host, input, options);
  const root = new TreeRoot(host, spec, o, shutdown);
  root.spawn();
  return root.started$;
}

/**
 * Validates `system.start`'s arguments the same way in both modes, before
 * anything starts: the spec, its actors against the host's definitions, then
 * the options.
 */
export function checkStart(
  host: Host,
  input: SupervisorSpec | SupervisorSpecInput,
  options: StartOptions | undefined,
): { spec: SupervisorSpec; options: StartOptions } {
  const spec = supervisor(input);
  checkActors(spec, host.definitions);
  return { spec, options: checkStartOptions(options) };
}

function checkStartOptions(options: StartOptions | undefined): StartOptions {
  const o = options ?? {};
  if (o === null || typeof o !== 'object') throw new ConfigError('system.start(options)', 'an object', o);
  checkKeys(o, ['onFailure', 'intensity', 'name'], 'system.start(options)');
  if (o.onFailure !== undefined && o.onFailure !== 'stop-system' && o.onFailure !== 'restart')
    throw new ConfigError('system.start(options).onFailure', '"stop-system" | "restart"', o.onFailure);
  resolveIntensity(o.intensity, 'system.start(options).intensity'); // now, not at the first failure
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0))
    throw new ConfigError('system.start(options).name', 'a non-empty string', o.name);
  return o;
}
