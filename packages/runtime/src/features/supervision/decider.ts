/**
 * Deciders: what a supervisor does about a failed child. A function
 * `(error, child) => directive`, or a table (JSON) by error name or code with
 * a `default`. A decider that throws or answers something else escalates: a
 * supervisor that cannot decide hands the failure up.
 */
import { ConfigError } from '../../kernel/errors.ts';
import type { ActorRef } from '../../kernel/ref.ts';

export type Directive = 'resume' | 'restart' | 'stop' | 'escalate';

/** What a decider learns about the failed child. */
export interface ChildInfo {
  /** The child spec's id (for children of plain actors: the child's name, or its id). */
  readonly id: string;
  readonly ref: ActorRef | undefined;
  readonly kind: 'worker' | 'supervisor';
  readonly restart: 'permanent' | 'transient' | 'temporary';
  /** Restarts of this child so far. */
  readonly restarts: number;
}

export type Decider = (error: unknown, child: ChildInfo) => Directive;
/**
 * A decider as data: directive by error name (`error.name`) or code
 * (`error.code`), with `default` for the rest (JSON-friendly).
 */
export type DeciderTable = Readonly<Record<string, Directive>>;

const DIRECTIVES: readonly Directive[] = ['resume', 'restart', 'stop', 'escalate'];

export const oneOf = (xs: readonly string[]): string => xs.map((x) => JSON.stringify(x)).join(' | ');

export const defaultDecider: Decider = () => 'restart';

export function resolveDecider(v: unknown, path: string): Decider {
  if (v === undefined) return defaultDecider;
  if (typeof v === 'function') return v as Decider;
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError(path, 'a function (error, child) => directive, or { [errorName]: directive }', v);
  const table = v as DeciderTable;
  for (const [k, d] of Object.entries(table))
    if (!DIRECTIVES.includes(d)) throw new ConfigError(`${path}.${k}`, oneOf(DIRECTIVES), d);
  const fallback = table.default ?? 'restart';
  return (error) => {
    if (error !== null && typeof error === 'object') {
      const e = error as { name?: unknown; code?: unknown };
      if (typeof e.code === 'string' && Object.hasOwn(table, e.code)) return table[e.code] as Directive;
      if (typeof e.name === 'string' && Object.hasOwn(table, e.name)) return table[e.name] as Directive;
    }
    return fallback;
  };
}

/** Checks a decider's answer (user code may return anything). */
export function checkDirective(d: unknown): d is Directive {
  return typeof d === 'string' && (DIRECTIVES as readonly string[]).includes(d);
}

/** Runs a decider; a throw or an answer that is not a directive escalates. */
export function decide(decider: Decider, error: unknown, child: ChildInfo): Directive {
  try {
    const d = decider(error, child);
    return checkDirective(d) ? d : 'escalate';
  } catch {
    return 'escalate';
  }
}
