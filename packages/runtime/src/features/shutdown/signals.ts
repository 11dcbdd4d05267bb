/**
 * SIGTERM / SIGINT handling (`createSystem({ handleSignals: true })` or
 * `system.handleSignals([...])`), the Kubernetes contract:
 *
 * 1. The first signal starts a graceful shutdown (reason: the signal's name).
 * 2. A second one forces it: waits are abandoned, what is alive is killed.
 * 3. A third one exits at once — the shutdown itself is stuck.
 * 4. When the shutdown completes: the report is logged (stderr by default),
 *    `process.exitCode` is set from the outcome (0 clean, 1 a hook failed,
 *    2 forced, 3 incomplete: work lost or a phase out of time; report.ts) and
 *    the listeners are removed, so the process exits by itself
 *    and a later signal gets Node's default behavior.
 * 5. Safety net: if something outside Troupe (a server left open) still holds
 *    the process `exitAfterMs` later, a warning names the open resources and
 *    the process exits with the same code. The timer is unref'd: it never
 *    delays a process that can exit, and it is wall time because it guards
 *    the process, not actor logic.
 */
import { ConfigError } from '../../kernel/errors.ts';
import { checkKeys, checkRange, MAX_TIMER_MS, type Range } from '../../kernel/validate.ts';
import { exitCodeOf, formatReport, type ShutdownReport } from './report.ts';

export type ShutdownSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP' | 'SIGQUIT' | 'SIGUSR1' | 'SIGUSR2' | 'SIGBREAK';

const SIGNALS: readonly ShutdownSignal[] = [
  'SIGTERM',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGBREAK',
];
export const DEFAULT_SIGNALS: readonly ShutdownSignal[] = ['SIGTERM', 'SIGINT'];

const TIMER_MS: Range = { min: 0, max: MAX_TIMER_MS };

export interface SignalOptions {
  /** Bound passed to `shutdown({ timeoutMs })`. Default: shutdown's default (5000). */
  readonly timeoutMs?: number;
  /** Called with the report instead of logging it to stderr; `false` logs nothing. */
  readonly onReport?: ((report: ShutdownReport, signal: ShutdownSignal) => void) | false;
  /** Exit anyway this long after shutdown completed if the process is still held open, ms. Default 2000. */
  readonly exitAfterMs?: number;
}

/** The slice of `process` the handler touches (a test passes a fake). */
export interface SignalProcess {
  on(signal: string, fn: () => void): unknown;
  off(signal: string, fn: () => void): unknown;
  exitCode?: number | string | null | undefined;
  exit(code?: number): never | void;
  stderr: { write(s: string): unknown };
  getActiveResourcesInfo?(): string[];
  /** Arms the safety-net timer (default: an unref'd `setTimeout`). */
  armExitTimer?(fn: () => void, ms: number): void;
}

const armUnref = (fn: () => void, ms: number): void => {
  setTimeout(fn, ms).unref();
};

export interface SignalTarget {
  run(options: { reason: string; timeoutMs?: number; force?: boolean }): Promise<ShutdownReport>;
  onFinished(fn: (r: ShutdownReport) => void): void;
}

/** Validates `handleSignals` (option or method argument). */
export function resolveSignals(v: unknown, path: string): readonly ShutdownSignal[] {
  if (v === true) return DEFAULT_SIGNALS;
  if (!Array.isArray(v) || v.length === 0)
    throw new ConfigError(path, `true or a non-empty array of ${SIGNALS.join(', ')}`, v);
  v.forEach((s, i) => {
    if (!SIGNALS.includes(s)) throw new ConfigError(`${path}[${i}]`, `one of ${SIGNALS.join(', ')}`, s);
  });
  return [...new Set(v as ShutdownSignal[])];
}

export class SignalHandler {
  private readonly installed = new Map<ShutdownSignal, () => void>();
  private received = 0;
  private signal: ShutdownSignal | null = null;
  private options: SignalOptions = {};

  constructor(
    private readonly target: SignalTarget,
    private readonly proc: SignalProcess = process as unknown as SignalProcess,
  ) {
    target.onFinished((r) => this.finished(r));
  }

  /** Installs listeners for `signals` (idempotent per signal). */
  install(signals: readonly ShutdownSignal[], options: SignalOptions = {}): void {
    if (options === null || typeof options !== 'object')
      throw new ConfigError('handleSignals(options)', '{ timeoutMs?, onReport?, exitAfterMs? }', options);
    checkKeys(options, ['timeoutMs', 'onReport', 'exitAfterMs'], 'handleSignals(options)');
    const { exitAfterMs, onReport, timeoutMs } = options;
    // Checked now, not when a signal arrives: a bad value must not surface mid-shutdown.
    if (exitAfterMs !== undefined) checkRange(exitAfterMs, 'handleSignals(options).exitAfterMs', TIMER_MS);
    if (timeoutMs !== undefined) checkRange(timeoutMs, 'handleSignals(options).timeoutMs', TIMER_MS);
    if (onReport !== undefined && onReport !== false && typeof onReport !== 'function')
      throw new ConfigError('handleSignals(options).onReport', 'a function or false', onReport);
    this.options = { ...this.options, ...options };
    for (const s of signals) {
      if (this.installed.has(s)) continue;
      const fn = (): void => this.onSignal(s);
      this.installed.set(s, fn);
      this.proc.on(s, fn);
    }
  }

  /** Signals currently listened to. */
  get signals(): ShutdownSignal[] {
    return [...this.installed.keys()];
  }

  remove(): void {
    for (const [s, fn] of this.installed) this.proc.off(s, fn);
    this.installed.clear();
  }

  private onSignal(s: ShutdownSignal): void {
    this.received++;
    if (this.received === 1) {
      this.signal = s;
      const { timeoutMs } = this.options;
      void this.target.run(timeoutMs === undefined ? { reason: s } : { reason: s, timeoutMs });
    } else if (this.received === 2) {
      void this.target.run({ reason: s, force: true });
    } else {
      this.proc.stderr.write(`troupe: ${s} received a third time; exiting now\n`);
      this.proc.exit(2);
    }
  }

  private finished(report: ShutdownReport): void {
    this.remove();
    const s = this.signal;
    if (s === null) return; // shut down by application code: its exit status is the application's
    const code = exitCodeOf(report);
    this.proc.exitCode = code;
    const { onReport, exitAfterMs = 2000 } = this.options;
    const proc = this.proc;
    // Armed before the user's onReport runs, so a throwing onReport cannot leave the process hanging.
    const exitAnyway = (): void => {
      const open = proc.getActiveResourcesInfo?.().join(', ') ?? 'unknown';
      proc.stderr.write(
        `troupe: process still running ${exitAfterMs} ms after shutdown (open: ${open}); exiting with ${code}\n`,
      );
      proc.exit(code);
    };
    if (proc.armExitTimer !== undefined) proc.armExitTimer(exitAnyway, exitAfterMs);
    else armUnref(exitAnyway, exitAfterMs);
    if (onReport === undefined) proc.stderr.write(`${formatReport(report)}\n`);
    else if (onReport !== false) onReport(report, s);
  }
}
