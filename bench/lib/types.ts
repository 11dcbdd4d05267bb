/**
 * The suite's vocabulary: a workload is one Savina benchmark at one size; a
 * contender is one system (and mode) doing that workload's work. Every
 * contender's `run` does the whole job once, checks the answer (throwing
 * `WrongAnswer` when it is wrong) and returns the milliseconds of the work
 * alone — setup and teardown (creating a system, compiling, shutting down)
 * stay outside the timed region, for every system alike.
 */

export type SystemName = 'troupe' | 'xstate' | 'piscina' | 'erlang' | 'limit';

export interface Contender {
  readonly system: SystemName;
  /** e.g. "in-thread", "1 executor", "machine", "two-queue", "otp-27 2 schedulers". */
  readonly mode: string;
  /** Runs the work once; resolves with the elapsed ms of the work alone. */
  run(): Promise<number>;
  /** Releases what the contender keeps between runs (a thread pool). */
  close?(): Promise<void>;
  /** What the contender observed besides time (e.g. steals), reported with its result. */
  details?(): string | undefined;
}

export interface SuiteContext {
  readonly quick: boolean;
  /** Troupe executor counts that work in this build (0 always; 1, 2 when threads exist). */
  readonly executorModes: readonly number[];
  /** The Erlang peer when `erl` is on the PATH. */
  readonly erlang: ErlangPeer | null;
}

export interface ErlangPeer {
  readonly mode: string;
  /** Runs `fun(args)` in the resident Erlang node; resolves with [elapsed µs, check value]. */
  call(fun: string, args: readonly number[]): Promise<{ micros: number; check: number }>;
}

export interface Workload<P = unknown> {
  /** CLI name (`npm run bench -- pingpong`). */
  readonly name: string;
  readonly title: string;
  /** What `units` counts; throughput is units per second. */
  readonly unit: string;
  /** Savina reference sizes, or small ones for --quick. */
  params(quick: boolean): P;
  describe(p: P): string;
  /** Units of work in one run (messages, actors, meetings, …). */
  units(p: P): number;
  contenders(p: P, ctx: SuiteContext): Contender[];
}

/** A run produced a wrong answer: the whole suite fails with a non-zero exit. */
export class WrongAnswer extends Error {
  override readonly name = 'WrongAnswer';
  constructor(
    readonly workload: string,
    readonly system: string,
    readonly expected: unknown,
    readonly got: unknown,
  ) {
    super(`${workload}/${system}: expected ${String(expected)}, got ${String(got)}`);
  }
}

export function check(workload: string, system: string, expected: unknown, got: unknown): void {
  if (!Object.is(expected, got)) throw new WrongAnswer(workload, system, expected, got);
}

/** Elapsed ms of `fn`, on the high-resolution clock. */
export async function timed(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
