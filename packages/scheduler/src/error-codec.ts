/**
 * Errors across threads, as themselves.
 *
 * msgpackr alone writes an error as (name, message, cause): the stack, `code`
 * and every other own field are lost, and a class it does not know comes back
 * as a plain `Error` whose stack starts inside the decoder. This extension
 * takes over every `instanceof Error` value and writes a record:
 *
 *   [class, name, message, stack, fields, flags, cause, errors]
 *
 * - `class`: the nearest registered class on the error's prototype chain
 *   (the built-in error classes here; the runtime registers its own with
 *   `registerErrorClass`). The reader rebuilds an instance of that class
 *   without running its constructor (`Reflect.construct(Error, [], Class)`),
 *   so a typed error keeps its guards and `instanceof`.
 * - `name`: set as an own property only where it differs from the class's.
 * - `message`, `stack`, `name`: carried exactly, including lone surrogates
 *   (as UTF-16 code units, flag bits) which msgpackr's UTF-8 would replace.
 * - `fields`: own enumerable properties (`code`, `context`, `errno`…) as a
 *   flat [key, value, …] list (no object, so no key can act as `toJSON`).
 * - `cause` (flag HAS_CAUSE: an own `cause`, even `undefined`) and
 *   `AggregateError#errors` travel through the same codec, so a chain is
 *   rebuilt level by level. Its depth is bounded where values are checked
 *   (serializable.ts counts an error as ERROR_WEIGHT levels).
 *
 * Which classes the check accepts inside messages and state is decided here
 * too (`isKnownErrorProto`): a registered class crosses as itself; an error of
 * another class would silently lose its class, so it is refused there (the
 * runtime still carries it, as its nearest registered ancestor, where an error
 * is the value being reported: a rejection, a failure).
 */

type ErrorClass = abstract new (...args: never[]) => Error;

const byName = new Map<string, ErrorClass>();
const byProto = new Map<object, string>();

/** Registers an error class to be rebuilt as itself; classes are matched by name on both ends. */
export function registerErrorClass(Class: ErrorClass): void {
  byName.set(Class.name, Class);
  byProto.set(Class.prototype, Class.name);
}

for (const C of [
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
  AggregateError,
])
  registerErrorClass(C);

/** An error whose exact class crosses as itself. */
export function isKnownErrorProto(proto: unknown): boolean {
  return byProto.has(proto as object);
}

/** The name of the nearest registered class on `e`'s prototype chain ('Error' at worst). */
function classOf(e: Error): string {
  for (let p = Object.getPrototypeOf(e); p !== null; p = Object.getPrototypeOf(p)) {
    const n = byProto.get(p);
    if (n !== undefined) return n;
  }
  return 'Error';
}

const HAS_CAUSE = 1;
const NAME16 = 2;
const MESSAGE16 = 4;
const STACK16 = 8;

/** A string msgpackr would change (lone surrogates) as its code units; anything else as is. */
function exact(s: unknown, flag: number, flags: { v: number }): unknown {
  if (typeof s !== 'string' || s.isWellFormed()) return s;
  flags.v |= flag;
  const u = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}

function fromUnits(v: unknown, flag: number, flags: number): unknown {
  if ((flags & flag) === 0 || !(v instanceof Uint16Array)) return v;
  let s = '';
  for (let i = 0; i < v.length; i += 4096) s += String.fromCharCode(...v.subarray(i, i + 4096));
  return s;
}

export type ErrorRecord = [string, unknown, unknown, unknown, unknown[] | null, number, unknown, unknown];

export function writeError(e: Error): ErrorRecord {
  const flags = { v: 0 };
  const keys = Object.keys(e);
  let fields: unknown[] | null = null;
  if (keys.length > 0) {
    fields = [];
    for (const k of keys) fields.push(k, (e as unknown as Record<string, unknown>)[k]);
  }
  let cause: unknown = null;
  if (Object.hasOwn(e, 'cause')) {
    flags.v |= HAS_CAUSE;
    cause = e.cause;
  }
  const errors = e instanceof AggregateError && Object.hasOwn(e, 'errors') ? e.errors : null;
  return [
    classOf(e),
    exact(e.name, NAME16, flags),
    exact(e.message, MESSAGE16, flags),
    exact(e.stack, STACK16, flags),
    fields,
    flags.v,
    cause,
    errors,
  ];
}

const hidden = (o: object, key: string, value: unknown): void => {
  Object.defineProperty(o, key, { value, writable: true, enumerable: false, configurable: true });
};

export function readError(r: ErrorRecord): Error {
  const [cls, name, message, stack, fields, flags, cause, errors] = r;
  const C = byName.get(cls) ?? Error;
  // The class's prototype and a real error object, without running its constructor (whose
  // parameters differ from class to class and which would recompute the message).
  const e = Reflect.construct(Error, [], C) as Error;
  hidden(e, 'message', fromUnits(message, MESSAGE16, flags));
  const n = fromUnits(name, NAME16, flags);
  if (e.name !== n) hidden(e, 'name', n);
  // The stack of where the error was made, not of this decoder.
  if (stack === undefined) delete (e as { stack?: unknown }).stack;
  else hidden(e, 'stack', fromUnits(stack, STACK16, flags));
  if ((flags & HAS_CAUSE) !== 0) hidden(e, 'cause', cause);
  if (errors !== null) hidden(e, 'errors', errors);
  if (fields !== null)
    for (let i = 0; i + 1 < fields.length; i += 2)
      Object.defineProperty(e, fields[i] as string, {
        value: fields[i + 1],
        writable: true,
        enumerable: true,
        configurable: true,
      });
  return e;
}
