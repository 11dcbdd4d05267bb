/**
 * Kernel hooks: how features plug into the kernel (tokio's `TaskHooks`).
 *
 * 1. A feature is a `Plugin`; `install(api)` registers what it needs through
 *    the `KernelApi`: lifecycle hooks, a link in the failure chain, message
 *    interceptors, handlers of its own system messages (`ext`).
 * 2. `composeHooks` runs every plugin's `install` once, when a host starts
 *    (the system's, each executor's), and freezes the result: one
 *    `KernelHooks` per host, never changed afterwards. Nothing is assigned
 *    onto the host or the cell, and nothing wraps another plugin's hook.
 * 3. A hook nobody set is null, so the kernel pays one check for it. Several
 *    plugins setting one hook are called in install order; in the failure
 *    chain the first that handles the failure wins and the core default runs
 *    when none did.
 * 4. Per-actor state of a feature lives in its extension slots (ext.ts),
 *    per-host state in the plugin instance its `install` made.
 */
import type { AskHandle } from './ask.ts';
import type { ActorDefinition } from './definition.ts';
import type { DeadLetterHook } from './log/dead-letters.ts';
import type { ActorRef, AskOptions } from './ref.ts';
import type { ResolvedSpawn } from './spawn-options.ts';
import type { Directed, FailurePhase } from './sysmsg.ts';

/**
 * What `kill()` did to the actor's onStop: `none` (its definition has none), `skipped` (it never
 * started), `abandoned` (it had started and not finished; its late completion changes nothing).
 */
export type OnStopFate = 'none' | 'skipped' | 'abandoned';

/**
 * Runs where a message is sent (on the sender's thread, within its turn when an actor sends):
 * returns metadata to attach to the message's envelope, or undefined to attach none.
 */
export type SendInterceptor = (to: ActorRef, msg: unknown, meta: unknown) => unknown;

/** Runs where the message is handled, just before its handler, with the metadata its send attached. */
export type ProcessInterceptor<C> = (cell: C, msg: unknown, data: unknown) => void;

/**
 * Runs around the handler, after `process` (tracing: the handler inside a span's context). Calls
 * `receive` exactly once and returns what it returned (the new state, or the handler's promise),
 * throwing what it threw.
 */
export type AroundInterceptor<C> = (cell: C, msg: unknown, data: unknown, receive: () => unknown) => unknown;

export interface Interceptor<C> {
  readonly send: SendInterceptor;
  readonly process: ProcessInterceptor<C>;
  /** Optional: only a plugin that needs the handler inside a scope of its own sets it. */
  readonly around?: AroundInterceptor<C>;
}

/**
 * Takes an ask over (deadlock's wait-for graph): returns its promise, or undefined to let the
 * kernel's plain ask run. Options are validated already.
 */
export type AskInterceptor = (
  ref: ActorRef,
  msg: unknown,
  timeoutMs: number,
  options: AskOptions | undefined,
  sender: ActorRef | undefined,
) => Promise<unknown> | undefined;

/** A feature's own system message (sysmsg.ts `Ext`) arriving at `cell`. */
export interface ExtHandler<C> {
  /** `arrival`: applied as it arrives; `turn`: queued, applied in the actor's turn ahead of user messages. */
  readonly at: 'arrival' | 'turn';
  apply(cell: C, payload: unknown, ack: AskHandle | undefined): void;
}

/** A protocol of the actor's own for stopping its children (a supervisor: one by one, in reverse start order). */
export interface ChildStop<C> {
  owns(cell: C): boolean;
  stop(cell: C): void;
}

export interface KernelHooks<C> {
  /** A definition became known to the host. */
  readonly onDefine: ((def: ActorDefinition) => void) | null;
  /** Before a spawn builds its cell; throws to refuse it (an executor's circuit breaker). */
  readonly beforeSpawn: ((def: ActorDefinition) => void) | null;
  /** A spawn built and initialised `cell`, before it is adopted (a retry policy, a placement). */
  readonly onSpawn: ((cell: C, spawn: ResolvedSpawn) => void) | null;
  /** `cell` became reachable here: spawned, rehydrated, or arrived from another executor. */
  readonly onAdopt: ((cell: C) => void) | null;
  /** `cell` left this host's registry: it stopped, or it migrated (its status says which). */
  readonly onGone: ((cell: C) => void) | null;
  /**
   * A handler failed on a message (`redelivered`: the one a feature put back at the front,
   * `cell.requeueHead`). True when the feature took the message back (a retry): no failure follows.
   */
  readonly onMessageFailed:
    | ((cell: C, error: unknown, msg: unknown, meta: unknown, redelivered: boolean) => boolean)
    | null;
  /** The failure chain: true when handled (supervision); the core default runs when none did. */
  readonly onFailure: ((cell: C, error: unknown, phase: FailurePhase) => boolean) | null;
  /** A `failed` system message reached the parent `cell`, in its turn. */
  readonly onChildFailed: ((cell: C, child: ActorRef, error: unknown, phase: FailurePhase) => void) | null;
  /** A `directive` was applied to `cell` in its turn (`restarted`: a restart re-initialised it). */
  readonly onDirected: ((cell: C, d: Directed, restarted: boolean) => void) | null;
  /** A child of `cell` terminated, here or linked by ref elsewhere, with its stop reason. */
  readonly onChildExit: ((cell: C, child: ActorRef, reason: string) => void) | null;
  readonly childStop: ChildStop<C> | null;
  /** `kill()` took `cell` down (whoever killed it), and what became of its onStop. */
  readonly onKilled: ((cell: C, onStop: OnStopFate) => void) | null;
  /** A handler of `cell` returned a promise: the actor waits from now on. */
  readonly onAwait: ((cell: C, msg: unknown) => void) | null;
  /** The pending handler of `cell` settled, or was abandoned. */
  readonly onSettled: ((cell: C) => void) | null;
  readonly ask: AskInterceptor | null;
  /** An ask of a call chain (`ask.chain`) from another thread was queued at the busy `cell`. */
  readonly onRemoteAsk: ((cell: C, ask: AskHandle) => void) | null;
  readonly onDeadLetter: DeadLetterHook | null;
  /** An ask exported under `askId` (a reply may come back by frame) settled: whoever tracked it may forget it. */
  readonly onAskSettled: ((askId: number) => void) | null;
  /** Interceptors, composed: `send` returns the envelope's data (one interceptor's, or an array). */
  readonly send: SendInterceptor | null;
  readonly process: ProcessInterceptor<C> | null;
  /** Set only when an interceptor has `around` (then `process` is set too): the run loop checks it once per message. */
  readonly around: AroundInterceptor<C> | null;
  /** Handlers of `ext` system messages, by kind. */
  readonly ext: ReadonlyMap<string, ExtHandler<C>>;
}

/** What a plugin registers through (only while `install` runs). */
export interface KernelApi<C, H> {
  /** The host this composition is for: a plugin keeps its per-host state next to it, never on it. */
  readonly host: H;
  onDefine(h: (def: ActorDefinition) => void): void;
  beforeSpawn(h: (def: ActorDefinition) => void): void;
  onSpawn(h: (cell: C, spawn: ResolvedSpawn) => void): void;
  onAdopt(h: (cell: C) => void): void;
  onGone(h: (cell: C) => void): void;
  onMessageFailed(
    h: (cell: C, error: unknown, msg: unknown, meta: unknown, redelivered: boolean) => boolean,
  ): void;
  onFailure(h: (cell: C, error: unknown, phase: FailurePhase) => boolean): void;
  onChildFailed(h: (cell: C, child: ActorRef, error: unknown, phase: FailurePhase) => void): void;
  onDirected(h: (cell: C, d: Directed, restarted: boolean) => void): void;
  onChildExit(h: (cell: C, child: ActorRef, reason: string) => void): void;
  childStop(p: ChildStop<C>): void;
  onKilled(h: (cell: C, onStop: OnStopFate) => void): void;
  onAwait(h: (cell: C, msg: unknown) => void): void;
  onSettled(h: (cell: C) => void): void;
  interceptAsk(h: AskInterceptor): void;
  onRemoteAsk(h: (cell: C, ask: AskHandle) => void): void;
  onDeadLetter(h: DeadLetterHook): void;
  onAskSettled(h: (askId: number) => void): void;
  intercept(i: Interceptor<C>): void;
  onExt(kind: string, handler: ExtHandler<C>): void;
}

export interface Plugin<C, H> {
  readonly name: string;
  install(api: KernelApi<C, H>): void;
}

export function emptyHooks<C>(): KernelHooks<C> {
  return EMPTY as KernelHooks<C>;
}

const EMPTY: KernelHooks<unknown> = Object.freeze({
  onDefine: null,
  beforeSpawn: null,
  onSpawn: null,
  onAdopt: null,
  onGone: null,
  onMessageFailed: null,
  onFailure: null,
  onChildFailed: null,
  onDirected: null,
  onChildExit: null,
  childStop: null,
  onKilled: null,
  onAwait: null,
  onSettled: null,
  ask: null,
  onRemoteAsk: null,
  onDeadLetter: null,
  onAskSettled: null,
  send: null,
  process: null,
  around: null,
  ext: new Map(),
});

type Fn = (...args: never[]) => unknown;

/** One function calling each of `fs` in order (the same function when there is one, null for none). */
function each<F extends Fn>(fs: F[]): F | null {
  if (fs.length === 0) return null;
  if (fs.length === 1) return fs[0]!;
  return ((...args: Parameters<F>) => {
    for (const f of fs) f(...args);
  }) as unknown as F;
}

/** A chain: the first that returns true ends it. */
function first<F extends (...args: never[]) => boolean>(fs: F[]): F | null {
  if (fs.length === 0) return null;
  if (fs.length === 1) return fs[0]!;
  return ((...args: Parameters<F>) => {
    for (const f of fs) if (f(...args)) return true;
    return false;
  }) as unknown as F;
}

/** Builds a host's hooks from its plugins, once; the result is frozen. */
export function composeHooks<C, H>(host: H, plugins: readonly Plugin<C, H>[]): KernelHooks<C> {
  const define: Array<(def: ActorDefinition) => void> = [];
  const before: Array<(def: ActorDefinition) => void> = [];
  const spawn: Array<(cell: C, spawn: ResolvedSpawn) => void> = [];
  const adopt: Array<(cell: C) => void> = [];
  const gone: Array<(cell: C) => void> = [];
  const msgFailed: Array<(cell: C, e: unknown, msg: unknown, meta: unknown, r: boolean) => boolean> = [];
  const failure: Array<(cell: C, e: unknown, phase: FailurePhase) => boolean> = [];
  const childFailed: Array<(cell: C, child: ActorRef, e: unknown, phase: FailurePhase) => void> = [];
  const directed: Array<(cell: C, d: Directed, restarted: boolean) => void> = [];
  const childExit: Array<(cell: C, child: ActorRef, reason: string) => void> = [];
  const childStops: ChildStop<C>[] = [];
  const killed: Array<(cell: C, onStop: OnStopFate) => void> = [];
  const awaits: Array<(cell: C, msg: unknown) => void> = [];
  const settled: Array<(cell: C) => void> = [];
  const asks: AskInterceptor[] = [];
  const remoteAsk: Array<(cell: C, ask: AskHandle) => void> = [];
  const dead: DeadLetterHook[] = [];
  const askSettled: Array<(askId: number) => void> = [];
  const interceptors: Interceptor<C>[] = [];
  const ext = new Map<string, ExtHandler<C>>();
  let open = true;
  const guard = <A extends unknown[]>(add: (...a: A) => void) => {
    return (...a: A): void => {
      if (!open) throw new Error('KernelApi used after install (hooks are composed once; runtime bug)');
      add(...a);
    };
  };
  const api: KernelApi<C, H> = {
    host,
    onDefine: guard((h) => define.push(h)),
    beforeSpawn: guard((h) => before.push(h)),
    onSpawn: guard((h) => spawn.push(h)),
    onAdopt: guard((h) => adopt.push(h)),
    onGone: guard((h) => gone.push(h)),
    onMessageFailed: guard((h) => msgFailed.push(h)),
    onFailure: guard((h) => failure.push(h)),
    onChildFailed: guard((h) => childFailed.push(h)),
    onDirected: guard((h) => directed.push(h)),
    onChildExit: guard((h) => childExit.push(h)),
    childStop: guard((p) => childStops.push(p)),
    onKilled: guard((h) => killed.push(h)),
    onAwait: guard((h) => awaits.push(h)),
    onSettled: guard((h) => settled.push(h)),
    interceptAsk: guard((h) => asks.push(h)),
    onRemoteAsk: guard((h) => remoteAsk.push(h)),
    onDeadLetter: guard((h) => dead.push(h)),
    onAskSettled: guard((h) => askSettled.push(h)),
    intercept: guard((i) => interceptors.push(i)),
    onExt: guard((kind: string, h: ExtHandler<C>) => {
      if (ext.has(kind)) throw new Error(`two plugins handle ext "${kind}" (runtime bug)`);
      ext.set(kind, h);
    }),
  };
  for (const p of plugins) p.install(api);
  open = false;
  return Object.freeze({
    onDefine: each(define),
    beforeSpawn: each(before),
    onSpawn: each(spawn),
    onAdopt: each(adopt),
    onGone: each(gone),
    onMessageFailed: first(msgFailed),
    onFailure: first(failure),
    onChildFailed: each(childFailed),
    onDirected: each(directed),
    onChildExit: each(childExit),
    childStop:
      childStops.length === 0
        ? null
        : childStops.length === 1
          ? childStops[0]!
          : {
              owns: (cell: C) => childStops.some((p) => p.owns(cell)),
              stop: (cell: C) => childStops.find((p) => p.owns(cell))?.stop(cell),
            },
    onKilled: each(killed),
    onAwait: each(awaits),
    onSettled: each(settled),
    ask:
      asks.length === 0
        ? null
        : asks.length === 1
          ? asks[0]!
          : (...a: Parameters<AskInterceptor>) => {
              for (const f of asks) {
                const p = f(...a);
                if (p !== undefined) return p;
              }
              return undefined;
            },
    onRemoteAsk: each(remoteAsk),
    onDeadLetter: each(dead),
    onAskSettled: each(askSettled),
    send: composeSend(interceptors),
    process: composeProcess(interceptors),
    around: composeAround(interceptors),
    ext,
  });
}

/** One interceptor: its data as is. Several: an array, one entry each (undefined when all attached none). */
function composeSend<C>(is: Interceptor<C>[]): SendInterceptor | null {
  if (is.length === 0) return null;
  if (is.length === 1) return is[0]!.send;
  return (to, msg, meta) => {
    let any = false;
    const data = is.map((i) => {
      const d = i.send(to, msg, meta);
      if (d !== undefined) any = true;
      return d;
    });
    return any ? data : undefined;
  };
}

function composeProcess<C>(is: Interceptor<C>[]): ProcessInterceptor<C> | null {
  if (is.length === 0) return null;
  if (is.length === 1) return is[0]!.process;
  return (cell, msg, data) => {
    const d = data as unknown[] | undefined;
    for (let k = 0; k < is.length; k++) is[k]!.process(cell, msg, d?.[k]);
  };
}

/** The `around`s nested in install order (the first outermost), each with its own interceptor's data. */
function composeAround<C>(is: Interceptor<C>[]): AroundInterceptor<C> | null {
  const with_ = is.map((i, k) => [i.around, k] as const).filter((x) => x[0] !== undefined);
  if (with_.length === 0) return null;
  if (is.length === 1) return is[0]!.around!;
  return (cell, msg, data, receive) => {
    const d = data as unknown[] | undefined;
    const at = (j: number): unknown => {
      if (j === with_.length) return receive();
      const [a, k] = with_[j]!;
      return a!(cell, msg, d?.[k], () => at(j + 1));
    };
    return at(0);
  };
}
