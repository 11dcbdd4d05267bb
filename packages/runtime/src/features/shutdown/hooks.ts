/**
 * User shutdown hooks: `system.onShutdown(phase, fn, { timeoutMs, name })`.
 *
 * Invariants:
 * 1. Hooks of a phase start together, in registration order, at the start of
 *    their phase (before the runtime's own step: a `stop-intake` hook that
 *    closes an HTTP server runs while actors still accept its last requests).
 * 2. Each hook is bounded by its own `timeoutMs` (default 5000) and by the
 *    phase's deadline; a hook that throws, rejects or overruns is reported as a
 *    failure and never blocks the next phase. Its `signal` aborts when it is
 *    abandoned, so a well-behaved hook can stop its work.
 * 3. A forced shutdown abandons pending hooks at once (reported `aborted`).
 */
import type { Clock } from '../../kernel/clock.ts';
import { ConfigError } from '../../kernel/errors.ts';
import { checkKeys, MAX_TIMER_MS } from '../../kernel/validate.ts';
import { type Latch, within } from './wait.ts';

/** The six phases, in order (see phases.ts). */
export const SHUTDOWN_PHASES = [
  'stop-intake',
  'drain',
  'stop-actors',
  'force-stop',
  'flush',
  'terminate',
] as const;

export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

export interface ShutdownHookContext {
  readonly phase: ShutdownPhase;
  /** The reason given to `shutdown({ reason })`. */
  readonly reason: string;
  /** Aborted when the hook times out or the shutdown is forced. */
  readonly signal: AbortSignal;
}

export type ShutdownHook = (ctx: ShutdownHookContext) => void | Promise<void>;

export interface ShutdownHookOptions {
  /** Longest the hook may run, ms (default 5000; also bounded by the shutdown's deadline). */
  readonly timeoutMs?: number;
  /** Name used in the report and events (default: the function's name, or `hook#n`). */
  readonly name?: string;
}

export interface HookFailure {
  readonly phase: ShutdownPhase;
  readonly hook: string;
  /** `failed`: threw or rejected; `timeout`: overran its time; `aborted`: abandoned by a forced shutdown. */
  readonly kind: 'failed' | 'timeout' | 'aborted';
  readonly error?: unknown;
  readonly afterMs: number;
}

interface Entry {
  readonly name: string;
  readonly fn: ShutdownHook;
  readonly timeoutMs: number;
}

export const DEFAULT_HOOK_TIMEOUT_MS = 5000;

export class ShutdownHooks {
  private readonly byPhase = new Map<ShutdownPhase, Entry[]>();
  private seq = 0;

  /** Registers a hook; returns a function that removes it. */
  add(phase: ShutdownPhase, fn: ShutdownHook, options: ShutdownHookOptions = {}): () => void {
    if (!(SHUTDOWN_PHASES as readonly string[]).includes(phase))
      throw new ConfigError('onShutdown(phase)', `one of ${SHUTDOWN_PHASES.join(', ')}`, phase);
    if (typeof fn !== 'function') throw new ConfigError('onShutdown(fn)', 'a function', fn);
    if (options === null || typeof options !== 'object')
      throw new ConfigError('onShutdown(options)', '{ timeoutMs?, name? }', options);
    checkKeys(options, ['timeoutMs', 'name'], 'onShutdown(options)');
    const timeoutMs = options.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
    if (!(typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS))
      throw new ConfigError('onShutdown(options).timeoutMs', 'a number in (0, 2147483647]', timeoutMs);
    const name = options.name ?? (fn.name || `hook#${++this.seq}`);
    if (typeof name !== 'string' || name.length === 0)
      throw new ConfigError('onShutdown(options).name', 'a non-empty string', options.name);
    const entry: Entry = { name, fn, timeoutMs };
    const list = this.byPhase.get(phase) ?? [];
    list.push(entry);
    this.byPhase.set(phase, list);
    return () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
    };
  }

  count(phase: ShutdownPhase): number {
    return this.byPhase.get(phase)?.length ?? 0;
  }

  /**
   * Runs the hooks of `phase`, each bounded by min(its timeout, `budgetMs`).
   * Resolves with the failures once every hook has finished or been abandoned.
   */
  async run(
    phase: ShutdownPhase,
    reason: string,
    budgetMs: number,
    clock: Clock,
    abort: Latch,
  ): Promise<HookFailure[]> {
    const list = this.byPhase.get(phase);
    if (list === undefined || list.length === 0) return [];
    const failures: HookFailure[] = [];
    await Promise.all(
      [...list].map(async (h) => {
        const ac = new AbortController();
        const t0 = clock.now();
        let p: Promise<void>;
        try {
          p = Promise.resolve(h.fn({ phase, reason, signal: ac.signal }));
        } catch (error) {
          failures.push({ phase, hook: h.name, kind: 'failed', error, afterMs: 0 });
          return;
        }
        const o = await within(p, Math.min(h.timeoutMs, budgetMs), clock, abort);
        if (o.kind === 'done') return;
        const afterMs = clock.now() - t0;
        if (o.kind === 'failed')
          failures.push({ phase, hook: h.name, kind: 'failed', error: o.error, afterMs });
        else {
          ac.abort();
          failures.push({ phase, hook: h.name, kind: o.kind, afterMs });
        }
      }),
    );
    return failures;
  }
}
