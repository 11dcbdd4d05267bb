/**
 * Errors are typed data: every Troupe error has a stable `code`, a structured
 * `context` naming what was wrong, and a type guard. Callers branch on `code`
 * or the guard, never on message text.
 */

export type ErrorCode =
  | 'config'
  | 'ask-timeout'
  | 'actor-stopped'
  | 'actor-failed'
  | 'mailbox-full'
  | 'deadlock'
  | 'shutdown'
  | 'unknown-actor'
  | 'duplicate-name'
  | 'name-limit'
  | 'unserializable'
  | 'init-failed'
  | 'hierarchy-violation'
  | 'escalated'
  | 'recording'
  | 'pool-full'
  | 'pool-closed'
  | 'task-timeout'
  | 'task-cancelled'
  | 'task-lost';

export abstract class TroupeError<C extends ErrorCode = ErrorCode, X extends object = object> extends Error {
  abstract readonly code: C;
  readonly context: Readonly<X>;
  constructor(message: string, context: X, options?: { cause?: unknown }) {
    super(message, options);
    this.context = context;
  }
  override get name(): string {
    return this.constructor.name;
  }
}

export interface ActorDescription {
  readonly id: number;
  readonly name?: string | undefined;
  readonly def: string;
}

const describe = (a: ActorDescription): string => (a.name ? `"${a.name}" (${a.def})` : `#${a.id} (${a.def})`);

/**
 * An option, spawn argument or supervision spec is invalid. `path` names the
 * field; for a misspelt key, `suggestion` is the valid one it most likely
 * meant (validate.ts).
 */
export class ConfigError extends TroupeError<
  'config',
  { path: string; expected: string; got: unknown; suggestion?: string }
> {
  readonly code = 'config';
  constructor(
    path: string,
    expected: string,
    got: unknown,
    extra?: { readonly suggestion?: string | undefined; readonly message?: string },
  ) {
    super(
      extra?.message ??
        `${path}: expected ${expected}, got ${formatValue(got)}` +
          (extra?.suggestion === undefined ? '' : `; did you mean \`${extra.suggestion}\`?`),
      extra?.suggestion === undefined
        ? { path, expected, got }
        : { path, expected, got, suggestion: extra.suggestion },
    );
  }
}

export class AskTimeoutError extends TroupeError<
  'ask-timeout',
  { target: ActorDescription; timeoutMs: number; messageType?: string | undefined }
> {
  readonly code = 'ask-timeout';
  constructor(target: ActorDescription, timeoutMs: number, messageType?: string) {
    super(`ask to ${describe(target)} timed out after ${timeoutMs} ms`, { target, timeoutMs, messageType });
  }
}

export class ActorStoppedError extends TroupeError<
  'actor-stopped',
  { target: ActorDescription; reason: string }
> {
  readonly code = 'actor-stopped';
  constructor(target: ActorDescription, reason = 'stopped') {
    super(`actor ${describe(target)} is stopped (${reason})`, { target, reason });
  }
}

/** The handler threw (or rejected) while processing the asked message. */
export class ActorFailedError extends TroupeError<'actor-failed', { target: ActorDescription }> {
  readonly code = 'actor-failed';
  constructor(target: ActorDescription, cause: unknown) {
    super(
      `actor ${describe(target)} failed while handling the message: ${formatValue(cause)}`,
      { target },
      { cause },
    );
  }
}

export class MailboxFullError extends TroupeError<
  'mailbox-full',
  { target: ActorDescription; capacity: number }
> {
  readonly code = 'mailbox-full';
  constructor(target: ActorDescription, capacity: number) {
    super(`mailbox of ${describe(target)} is full (capacity ${capacity})`, { target, capacity });
  }
}

export interface DeadlockCycleEntry {
  readonly actor: ActorDescription;
  readonly waitingForMs: number;
}

export class DeadlockError extends TroupeError<
  'deadlock',
  { cycle: readonly DeadlockCycleEntry[]; strategy: string }
> {
  readonly code = 'deadlock';
  constructor(cycle: readonly DeadlockCycleEntry[], strategy: string, detail?: string) {
    super(
      detail ??
        `deadlock: ${cycle.map((c) => describe(c.actor)).join(' → ')} → ${cycle[0] ? describe(cycle[0].actor) : '?'}`,
      { cycle, strategy },
    );
  }
}

export class ShutdownError extends TroupeError<'shutdown', { operation: string }> {
  readonly code = 'shutdown';
  constructor(operation: string) {
    super(`system is shutting down: ${operation} refused`, { operation });
  }
}

/** Where an executor's definitions come from (UnknownActorError's hint in threaded mode). */
export const EXECUTORS_KNOW = 'among the exports of the actors module (what executors load)';

/** A spawn or rehydrate names a definition the target thread does not know. */
export class UnknownActorError extends TroupeError<'unknown-actor', { definition: string }> {
  readonly code = 'unknown-actor';
  /** `hint` says where definitions come from there (e.g. the executors' actors module). */
  constructor(definition: string, known: readonly string[], hint?: string) {
    super(
      `no actor definition named "${definition}"${hint === undefined ? '' : ` ${hint}`}; known: ${known.length ? known.join(', ') : '(none)'}`,
      { definition },
    );
  }
}

export class DuplicateNameError extends TroupeError<
  'duplicate-name',
  { name: string; existing: ActorDescription }
> {
  readonly code = 'duplicate-name';
  constructor(name: string, existing: ActorDescription) {
    super(`an actor named "${name}" already exists: ${describe(existing)}`, { name, existing });
  }
}

/** Threaded mode: the system-wide name table holds its maximum of names (`options.maxNames`). */
export class NameLimitError extends TroupeError<'name-limit', { name: string; capacity: number }> {
  readonly code = 'name-limit';
  constructor(name: string, capacity: number) {
    super(
      `cannot name an actor "${name}": the system's name table holds its maximum of ${capacity} names (options.maxNames)`,
      { name, capacity },
    );
  }
}

/**
 * A value cannot cross a thread intact: `path` names the part, `found` what is
 * there. `limit` is set when the value is nested deeper than the depth every
 * crossing value is held to (MAX_DEPTH of @troupe/scheduler, 512 levels).
 */
export class UnserializableError extends TroupeError<
  'unserializable',
  { actor?: ActorDescription | undefined; path: string; found: string; limit?: number }
> {
  readonly code = 'unserializable';
  constructor(what: string, path: string, found: string, actor?: ActorDescription, limit?: number) {
    super(
      `${what}${actor ? ` of ${describe(actor)}` : ''} cannot be serialized: ${path} is a ${found}` +
        (actor ? ' (define the actor with { pinned: true } to keep it on one thread)' : ''),
      limit === undefined ? { actor, path, found } : { actor, path, found, limit },
    );
  }
}

export class InitFailedError extends TroupeError<'init-failed', { actor: ActorDescription }> {
  readonly code = 'init-failed';
  constructor(actor: ActorDescription, cause: unknown) {
    super(`init of ${describe(actor)} failed: ${formatValue(cause)}`, { actor }, { cause });
  }
}

/**
 * A supervisor gave up and failed upward: its restart intensity was exceeded,
 * its decider said `escalate`, or a child failed to start while the tree was
 * starting. `cause` is the child's error.
 */
export class EscalatedError extends TroupeError<
  'escalated',
  { supervisor: string; child: string; reason: 'intensity' | 'directive' | 'start' }
> {
  readonly code = 'escalated';
  constructor(
    supervisor: string,
    child: string,
    reason: 'intensity' | 'directive' | 'start',
    cause: unknown,
  ) {
    const why =
      reason === 'intensity'
        ? 'restart intensity exceeded'
        : reason === 'start'
          ? 'a child failed to start'
          : 'the decider escalated';
    super(
      `supervisor "${supervisor}" escalated (${why}) after child "${child}" failed: ${formatValue(cause)}`,
      { supervisor, child, reason },
      { cause },
    );
  }
}

/** `prevent`: an ask against the declared rank order (asks must go to a strictly higher rank). */
export class HierarchyViolationError extends TroupeError<
  'hierarchy-violation',
  { from: ActorDescription; to: ActorDescription; fromRank: number; toRank: number }
> {
  readonly code = 'hierarchy-violation';
  constructor(from: ActorDescription, to: ActorDescription, fromRank: number, toRank: number) {
    super(
      `ask from ${describe(from)} (rank ${fromRank}) to ${describe(to)} (rank ${toRank}) violates the ask hierarchy: asks must go to a higher rank`,
      { from, to, fromRank, toRank },
    );
  }
}

/**
 * A recording (`@troupe/observability`) could not be written or read: `operation` says which step
 * (`open`, `write`, `encode` an event, `read`, `parse` a line, `header`), `line` where a read failed.
 */
export class RecordingError extends TroupeError<
  'recording',
  { file: string; operation: 'open' | 'write' | 'encode' | 'read' | 'parse' | 'header'; line?: number }
> {
  readonly code = 'recording';
  constructor(
    file: string,
    operation: 'open' | 'write' | 'encode' | 'read' | 'parse' | 'header',
    detail: string,
    options?: { line?: number; cause?: unknown },
  ) {
    const at = options?.line === undefined ? '' : ` line ${options.line}`;
    super(
      `recording ${file}${at}: ${operation} failed: ${detail}`,
      options?.line === undefined ? { file, operation } : { file, operation, line: options.line },
      { cause: options?.cause },
    );
  }
}

const guard =
  <T extends TroupeError>(code: ErrorCode) =>
  (e: unknown): e is T =>
    e instanceof TroupeError && e.code === code;

export const isTroupeError = (e: unknown): e is TroupeError => e instanceof TroupeError;
export const isConfigError = guard<ConfigError>('config');
export const isAskTimeoutError = guard<AskTimeoutError>('ask-timeout');
export const isActorStoppedError = guard<ActorStoppedError>('actor-stopped');
export const isActorFailedError = guard<ActorFailedError>('actor-failed');
export const isMailboxFullError = guard<MailboxFullError>('mailbox-full');
export const isDeadlockError = guard<DeadlockError>('deadlock');
export const isShutdownError = guard<ShutdownError>('shutdown');
export const isUnknownActorError = guard<UnknownActorError>('unknown-actor');
export const isDuplicateNameError = guard<DuplicateNameError>('duplicate-name');
export const isNameLimitError = guard<NameLimitError>('name-limit');
export const isUnserializableError = guard<UnserializableError>('unserializable');
export const isInitFailedError = guard<InitFailedError>('init-failed');
export const isHierarchyViolationError = guard<HierarchyViolationError>('hierarchy-violation');
export const isEscalatedError = guard<EscalatedError>('escalated');
export const isRecordingError = guard<RecordingError>('recording');

/** A value as short text for an error message; never throws, whatever the value's getters do. */
export function formatValue(v: unknown): string {
  try {
    if (v instanceof Error) return `${v.name}: ${v.message}`;
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
    try {
      const s = JSON.stringify(v);
      return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
    } catch {
      return String(v);
    }
  } catch {
    return `(a ${typeof v} that cannot be described)`;
  }
}

// ---- task pools (features/pool) -------------------------------------------

/** The pool's queue holds `capacity` tasks and the pool rejects rather than waits (`whenFull: 'reject'`). */
export class PoolFullError extends TroupeError<'pool-full', { pool: string; capacity: number }> {
  readonly code = 'pool-full';
  constructor(pool: string, capacity: number) {
    super(`pool "${pool}" is full: its queue holds ${capacity} tasks (queue.capacity)`, { pool, capacity });
  }
}

/** A task submitted after `close()` or `destroy()` (or the system's shutdown) began. */
export class PoolClosedError extends TroupeError<
  'pool-closed',
  { pool: string; state: 'closing' | 'closed' | 'destroyed' }
> {
  readonly code = 'pool-closed';
  constructor(pool: string, state: 'closing' | 'closed' | 'destroyed') {
    super(`pool "${pool}" is ${state}: it takes no new tasks`, { pool, state });
  }
}

/** A task ran past its `timeoutMs` (counted from the moment a worker was handed it). */
export class TaskTimeoutError extends TroupeError<
  'task-timeout',
  { pool: string; task: string | undefined; timeoutMs: number; attempt: number }
> {
  readonly code = 'task-timeout';
  constructor(pool: string, task: string | undefined, timeoutMs: number, attempt: number) {
    super(`task${task === undefined ? '' : ` "${task}"`} of pool "${pool}" timed out after ${timeoutMs} ms`, {
      pool,
      task,
      timeoutMs,
      attempt,
    });
  }
}

/**
 * A task ended before its result: its `signal` aborted (`aborted`, `cause` is the signal's reason),
 * a group it belongs to failed (`group`, `cause` is the group's first error), or its pool closed
 * (`closed`: `close()` ran out of time) or was destroyed (`destroyed`). `started` says whether a
 * worker had been handed it.
 */
export class TaskCancelledError extends TroupeError<
  'task-cancelled',
  {
    pool: string;
    task: string | undefined;
    reason: 'aborted' | 'group' | 'closed' | 'destroyed' | 'shutdown';
    started: boolean;
  }
> {
  readonly code = 'task-cancelled';
  constructor(
    pool: string,
    task: string | undefined,
    reason: 'aborted' | 'group' | 'closed' | 'destroyed' | 'shutdown',
    started: boolean,
    cause?: unknown,
  ) {
    super(
      `task${task === undefined ? '' : ` "${task}"`} of pool "${pool}" was cancelled (${reason})`,
      { pool, task, reason, started },
      cause === undefined ? undefined : { cause },
    );
  }
}

/**
 * The worker running a task was lost with it: its executor hung on the task (the watchdog
 * terminated the thread: `executor-hung`), crashed, or the worker stopped. Tasks the lost worker
 * had been handed but not started go back to the queue instead.
 */
export class TaskLostError extends TroupeError<
  'task-lost',
  { pool: string; task: string | undefined; reason: string }
> {
  readonly code = 'task-lost';
  constructor(pool: string, task: string | undefined, reason: string, cause?: unknown) {
    super(
      `task${task === undefined ? '' : ` "${task}"`} of pool "${pool}" was lost with its worker (${reason})`,
      { pool, task, reason },
      cause === undefined ? undefined : { cause },
    );
  }
}

export const isPoolFullError = guard<PoolFullError>('pool-full');
export const isPoolClosedError = guard<PoolClosedError>('pool-closed');
export const isTaskTimeoutError = guard<TaskTimeoutError>('task-timeout');
export const isTaskCancelledError = guard<TaskCancelledError>('task-cancelled');
export const isTaskLostError = guard<TaskLostError>('task-lost');
