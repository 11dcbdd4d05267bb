/**
 * Errors across threads. The codec (@troupe/scheduler error-codec.ts) carries
 * an error's class, name, message, stack, own fields and cause chain; the
 * runtime registers its TroupeError classes (snapshot.ts), so an
 * `ActorFailedError` answered on another thread is an `ActorFailedError`
 * again (guards such as `isAskTimeoutError` keep working), with its `code`,
 * `context` and `cause`.
 *
 * Where an error is what is reported (an ask's rejection, a child's failure,
 * an event or dead letter forwarded to the main thread), it must cross even
 * when a part of it cannot: `portableError` returns the error itself when all
 * of it is portable, else a copy where each part that is not (a field, a
 * cause, a cycle, a chain deeper than MAX_CAUSES) is an UnserializableError
 * naming its path. Nothing is changed silently, and nothing here throws.
 */
import { formatValue, UnserializableError } from '../kernel/errors.ts';
import { checkPortable } from '../kernel/snapshot.ts';

const LENIENT = { anyError: true } as const;

/** Causes kept in a reported error's chain; a longer chain ends in an UnserializableError. */
export const MAX_CAUSES = 32;

const unportable = (path: string, found: string, limit?: number): UnserializableError =>
  new UnserializableError('a part of an error', path, found, undefined, limit);

/** `e` where it can cross as it is, else a copy whose unportable parts are UnserializableErrors. */
export function portableError(e: Error, root: string): Error {
  try {
    if (checkPortable(e, root, LENIENT) === undefined) return e;
    return copy(e, root, 0, []);
  } catch (x) {
    // Only a value hostile enough to throw where it was just read gets here.
    return unportable(root, `error that threw while it was read (${formatValue(x)})`);
  }
}

function copy(e: Error, path: string, level: number, chain: Error[]): Error {
  const c = Object.create(Object.getPrototypeOf(e)) as Error;
  const hidden = (k: string, v: unknown) =>
    Object.defineProperty(c, k, { value: v, writable: true, enumerable: false, configurable: true });
  chain.push(e);
  // An error counts two levels of the depth limit; its parts are checked with what is left.
  const depth = 2 * (level + 1);
  const part = (v: unknown, at: string): unknown => {
    if (v instanceof Error) {
      if (chain.includes(v)) return unportable(at, 'cycle through an error');
      if (level + 1 >= MAX_CAUSES) return unportable(at, `error chain longer than ${MAX_CAUSES}`);
      const q = checkPortable(v, at, { anyError: true, depth, enclosing: chain });
      return q === undefined ? v : copy(v, at, level + 1, chain);
    }
    // A part that leads back to an error of the chain would come back as a plain object there.
    const p = checkPortable(v, at, { anyError: true, depth, enclosing: chain });
    return p === undefined ? v : unportable(p.path, p.found, p.limit);
  };
  for (const k of ['name', 'message', 'stack'] as const) {
    const v = e[k];
    if (typeof v === 'string' || v === undefined) {
      if (Object.hasOwn(e, k) || k !== 'name') hidden(k, v);
    } else hidden(k, part(v, `${path}.${k}`));
  }
  if (Object.hasOwn(e, 'cause')) hidden('cause', part(e.cause, `${path}.cause`));
  if (e instanceof AggregateError && Object.hasOwn(e, 'errors'))
    hidden(
      'errors',
      Array.isArray(e.errors)
        ? e.errors.map((x, i) => part(x, `${path}.errors[${i}]`))
        : part(e.errors, `${path}.errors`),
    );
  for (const k of Object.keys(e))
    Object.defineProperty(c, k, {
      value: part((e as unknown as Record<string, unknown>)[k], `${path}.${k}`),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  chain.pop();
  return c;
}

/**
 * A value reported to another thread (a child's failure, an event's field, a
 * dead letter's message): an error as `portableError`, anything else as is
 * when portable, else a description naming what could not cross.
 */
export function portableReport(v: unknown, root: string): unknown {
  try {
    if (v instanceof Error) return portableError(v, root);
  } catch {
    // `instanceof` on a proxy runs its trap: what throws there is described below.
  }
  const p = checkPortable(v, root);
  return p === undefined ? v : `[unserializable: ${p.found} at ${p.path}]`;
}

/** An event or dead letter for the main thread: each field made portable on its own (`portableReport`): what cannot cross is described instead. */
export function portableRecord<T extends object>(v: T, root: string): T {
  if (checkPortable(v, root, LENIENT) === undefined) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = portableReport(x, k);
  return out as T;
}

/**
 * An ask's outcome as it crosses back to the asker: [ok, value]. A value that
 * cannot cross exactly (an error replied as a value included) rejects the ask
 * with an UnserializableError naming the part; a rejection's error crosses as
 * `portableError`. Never throws.
 */
export function settlement(ok: boolean, value: unknown): [boolean, unknown] {
  try {
    if (!ok && value instanceof Error) return [false, portableError(value, 'reply')];
    const p = checkPortable(value, 'reply');
    return p === undefined
      ? [ok, value]
      : [false, new UnserializableError('a reply', p.path, p.found, undefined, p.limit)];
  } catch (x) {
    return [
      false,
      new UnserializableError('a reply', 'reply', `value that threw while it was read (${formatValue(x)})`),
    ];
  }
}
