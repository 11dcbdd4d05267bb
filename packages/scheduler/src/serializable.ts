/**
 * Finds the first part of a value that cannot cross a thread boundary intact.
 *
 * msgpackr (like structured clone) does not fail on everything it cannot carry:
 * functions become `undefined`, class instances lose their prototype, a Promise
 * or WeakMap arrives as `{}`, a null-prototype object gains `Object.prototype`,
 * an array hole becomes `undefined`, a lone surrogate becomes U+FFFD. A
 * migrated actor built from such a value would resume with different state,
 * so the runtime checks before it encodes and names the offending path
 * instead of silently changing the value. What the codec carries faithfully
 * (codec.ts: errors with their fields and cause, `Buffer`, `RegExp#lastIndex`)
 * passes.
 *
 * Depth: msgpackr encodes and decodes recursively, and a thread's stack holds
 * ~1,200 levels on the main thread (4 MB executor stacks ~4,900). A value
 * nested deeper than MAX_DEPTH levels is refused here, so no encode or decode
 * of a checked value can overflow, whichever thread reads it. The walk itself
 * is iterative: any depth is checked without recursion.
 *
 * The check never throws: a getter or proxy trap that throws while the value
 * is read is itself a problem, reported with its path.
 *
 * `isPortable` lets callers accept their own classes (e.g. ActorRef, which has
 * a codec extension).
 */
import { isKnownErrorProto } from './error-codec.ts';

declare global {
  interface String {
    /** ES2024; Node ≥ 20. */
    isWellFormed(): boolean;
  }
}

/**
 * The deepest nesting a value may have to cross threads. Containers (objects,
 * arrays, maps, sets) count one level each, an error ERROR_WEIGHT (its record
 * and fields). At 512 the deepest checked value needs under half of the main
 * thread's stack in msgpackr.
 */
export const MAX_DEPTH = 512;
/** Levels an error counts for: msgpackr nests its record inside the extension. */
export const ERROR_WEIGHT = 2;

export interface SerializableProblem {
  /** JSON-pointer-like path from the root, e.g. `state.items[3].cb`. */
  readonly path: string;
  /** What was found there, e.g. `function`, `class Socket`, `symbol`. */
  readonly found: string;
  /** Set when the value is nested deeper than this many levels (MAX_DEPTH). */
  readonly limit?: number;
}

export interface CheckOptions {
  /**
   * Accept errors of any class (they cross as their nearest registered class,
   * error-codec.ts): for an error that is itself what is reported (a
   * rejection, a failure), not for messages or state.
   */
  readonly anyError?: boolean;
  /** Levels already used above `value` (a part checked on its own); default 0. */
  readonly depth?: number;
  /** Errors that enclose `value` (a part checked on its own): reaching one is a cycle through it. */
  readonly enclosing?: readonly object[];
}

const LONE_SURROGATE = 'string with a lone surrogate';
const CYCLE = 'cycle through an error';

const builtins = new Set<unknown>([
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Uint8Array.prototype,
  Uint8ClampedArray.prototype,
  Int8Array.prototype,
  Uint16Array.prototype,
  Int16Array.prototype,
  Uint32Array.prototype,
  Int32Array.prototype,
  Float32Array.prototype,
  Float64Array.prototype,
  BigInt64Array.prototype,
  BigUint64Array.prototype,
  Buffer.prototype,
]);

export function findUnserializable(
  value: unknown,
  root = 'value',
  isPortable?: (v: object) => boolean,
  options?: CheckOptions,
): SerializableProblem | undefined {
  // Fast paths for what most messages are (primitives, flat plain objects, and plain objects whose
  // fields are flat or the caller's portable objects such as refs), without the walk's Set: this
  // check runs for every message that crosses a thread.
  if (value === null || typeof value !== 'object') {
    const t = typeof value;
    if (t === 'string')
      return (value as string).isWellFormed() ? undefined : { path: root, found: LONE_SURROGATE };
    return t === 'function' || t === 'symbol' ? { path: root, found: t } : undefined;
  }
  try {
    if (isShallow(value, isPortable)) return undefined;
  } catch {
    // A getter or trap threw: the walk below reads again, and names where.
  }
  return walk(value, root, isPortable, options?.anyError === true, options?.depth ?? 0, options?.enclosing);
}

/** A field value the fast paths accept as is: no object, function, symbol or ill-formed string. */
function flatField(v: unknown): boolean {
  const t = typeof v;
  return t === 'string'
    ? (v as string).isWellFormed()
    : t === 'object'
      ? v === null
      : t !== 'function' && t !== 'symbol';
}

function isFlatPlain(o: object): boolean {
  if (Object.getPrototypeOf(o) !== Object.prototype) return false;
  for (const k in o) if (!k.isWellFormed() || !flatField((o as Record<string, unknown>)[k])) return false;
  return true;
}

/** A plain object whose object fields are flat plain objects or portable by the caller's rule. */
function isShallow(o: object, isPortable: ((v: object) => boolean) | undefined): boolean {
  if (Object.getPrototypeOf(o) !== Object.prototype) return false;
  for (const k in o) {
    if (!k.isWellFormed()) return false;
    const v = (o as Record<string, unknown>)[k];
    if (typeof v === 'object' && v !== null) {
      if (!isPortable?.(v) && !isFlatPlain(v)) return false;
    } else if (!flatField(v)) return false;
  }
  return true;
}

const OBJECT = 0;
const ARRAY = 1;
const MAP = 2;
const SET = 3;
const LIST = 4;

/** One container being walked: the path segment it was reached by, and a cursor over its parts. */
interface Frame {
  readonly o: object;
  readonly kind: number;
  readonly seg: string;
  readonly weight: number;
  /** OBJECT: its keys; LIST (an error's parts): their segments. */
  readonly keys: readonly string[] | null;
  /** LIST: the parts' values. */
  readonly vals: readonly unknown[] | null;
  readonly it: Iterator<unknown> | null;
  i: number;
  /** MAP: the value of the entry whose key was just visited. */
  pending: unknown;
  hasPending: boolean;
}

const keySeg = (k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);

function walk(
  value: object,
  root: string,
  isPortable: ((v: object) => boolean) | undefined,
  anyError: boolean,
  startDepth: number,
  enclosing: readonly object[] | undefined,
): SerializableProblem | undefined {
  const seen = new Set<object>();
  const stack: Frame[] = [];
  let depth = startDepth;
  // The part being read now: where a throwing getter or trap is reported.
  let seg = '';
  const at = (s: string, found: string, limit?: number): SerializableProblem => {
    let path = root;
    for (const f of stack) path += f.seg;
    path += s;
    return limit === undefined ? { path, found } : { path, found, limit };
  };

  /** Looks at one part; pushes a frame for a container. A problem, or undefined. */
  const visit = (v: unknown, s: string): SerializableProblem | undefined => {
    const t = typeof v;
    if (t === 'string') return (v as string).isWellFormed() ? undefined : at(s, LONE_SURROGATE);
    if (t === 'function' || t === 'symbol') return at(s, t);
    if (v === null || t !== 'object') return undefined;
    const o = v as object;
    if (seen.has(o)) {
      // Structured clone keeps cycles and shared references, but msgpackr rebuilds an error only
      // after its parts: a part that points back at an enclosing error would get a plain object.
      if (o instanceof Error) for (const f of stack) if (f.o === o) return at(s, CYCLE);
      return undefined;
    }
    if (enclosing?.includes(o)) return at(s, CYCLE);
    seen.add(o);
    if (isPortable?.(o)) return undefined;
    const proto = Object.getPrototypeOf(o);
    let frame: Frame;
    if (proto === Object.prototype) frame = newFrame(o, OBJECT, s, 1, Object.keys(o));
    else if (proto === Array.prototype && Array.isArray(o)) {
      const p = arrayShape(o as unknown[]);
      if (p !== undefined) return at(s + p.seg, p.found);
      frame = newFrame(o, ARRAY, s, 1, null);
    } else if (proto === Map.prototype)
      frame = newFrame(o, MAP, s, 1, null, (o as Map<unknown, unknown>).entries());
    else if (proto === Set.prototype) frame = newFrame(o, SET, s, 1, null, (o as Set<unknown>).values());
    else if (o instanceof Error && (anyError || isKnownErrorProto(proto))) {
      const f = errorFrame(o, s);
      if (!('o' in f)) return at(s + f.seg, f.found);
      frame = f;
    } else if (builtins.has(proto)) return undefined;
    else if (proto === null) return at(s, 'object with a null prototype');
    else {
      const name = (proto.constructor as { name?: string } | undefined)?.name || 'anonymous';
      return at(s, `class ${name}`);
    }
    if (depth + frame.weight > MAX_DEPTH)
      return at(s, `value nested deeper than ${MAX_DEPTH} levels`, MAX_DEPTH);
    depth += frame.weight;
    stack.push(frame);
    return undefined;
  };

  try {
    let p = visit(value, '');
    while (p === undefined && stack.length > 0) {
      const f = stack[stack.length - 1]!;
      seg = '';
      let v: unknown;
      switch (f.kind) {
        case OBJECT: {
          if (f.i >= f.keys!.length) break;
          const k = f.keys![f.i++]!;
          if (!k.isWellFormed()) {
            p = at(`[${JSON.stringify(k)}]`, 'key with a lone surrogate');
            continue;
          }
          seg = keySeg(k);
          v = (f.o as Record<string, unknown>)[k];
          p = visit(v, seg);
          continue;
        }
        case ARRAY: {
          const a = f.o as unknown[];
          if (f.i >= a.length) break;
          seg = `[${f.i}]`;
          v = a[f.i++];
          p = visit(v, seg);
          continue;
        }
        case MAP: {
          if (f.hasPending) {
            f.hasPending = false;
            seg = `<value ${f.i - 1}>`;
            p = visit(f.pending, seg);
            continue;
          }
          seg = `<key ${f.i}>`;
          const r = f.it!.next();
          if (r.done === true) break;
          const [mk, mv] = r.value as [unknown, unknown];
          f.i++;
          f.pending = mv;
          f.hasPending = true;
          p = visit(mk, seg);
          continue;
        }
        case SET: {
          seg = `<item ${f.i}>`;
          const r = f.it!.next();
          if (r.done === true) break;
          f.i++;
          p = visit(r.value, seg);
          continue;
        }
        default: {
          if (f.i >= f.keys!.length) break;
          seg = f.keys![f.i]!;
          p = visit(f.vals![f.i++], seg);
          continue;
        }
      }
      stack.pop();
      depth -= f.weight;
    }
    return p;
  } catch (e) {
    return at(seg, `getter or proxy that threw (${describeThrown(e)})`);
  }
}

function newFrame(
  o: object,
  kind: number,
  seg: string,
  weight: number,
  keys: readonly string[] | null,
  it: Iterator<unknown> | null = null,
  vals: readonly unknown[] | null = null,
): Frame {
  return { o, kind, seg, weight, keys, vals, it, i: 0, pending: undefined, hasPending: false };
}

/** An error's parts that its codec writes as values: own enumerable fields, `cause`, `errors`, and a non-string message or stack. */
function errorFrame(e: Error, seg: string): Frame | { seg: string; found: string } {
  const segs: string[] = [];
  const vals: unknown[] = [];
  // In the codec's order (error-codec.ts writeError), so a shared part is met first where it is
  // written in full. Strings are carried exactly (lone surrogates included); anything else is a value.
  for (const k of ['name', 'message', 'stack'] as const) {
    const v = e[k];
    if (typeof v !== 'string' && v !== undefined) {
      segs.push(`.${k}`);
      vals.push(v);
    }
  }
  for (const k of Object.keys(e)) {
    if (!k.isWellFormed()) return { seg: `[${JSON.stringify(k)}]`, found: 'key with a lone surrogate' };
    segs.push(keySeg(k));
    vals.push((e as unknown as Record<string, unknown>)[k]);
  }
  if (Object.hasOwn(e, 'cause') && !Object.prototype.propertyIsEnumerable.call(e, 'cause')) {
    segs.push('.cause');
    vals.push(e.cause);
  }
  if (e instanceof AggregateError && Object.hasOwn(e, 'errors')) {
    segs.push('.errors');
    vals.push(e.errors);
  }
  return newFrame(e, LIST, seg, ERROR_WEIGHT, segs, null, vals);
}

/** Holes and named properties of an array, which msgpackr would drop; undefined when it has neither. */
function arrayShape(a: unknown[]): { seg: string; found: string } | undefined {
  const keys = Object.keys(a);
  const n = a.length;
  // Own enumerable keys list the indices first, ascending: n of them ending at n - 1 means every
  // index is there and nothing else is.
  if (keys.length === n && (n === 0 || keys[n - 1] === String(n - 1))) return undefined;
  for (let i = 0; i < n; i++) if (!(i in a)) return { seg: `[${i}]`, found: 'hole (an empty array slot)' };
  for (const k of keys)
    if (String(Number(k) >>> 0) !== k) return { seg: keySeg(k), found: 'named property of an array' };
  return undefined;
}

/** A thrown value as text, whatever it is (its own getters may throw too). */
function describeThrown(e: unknown): string {
  try {
    if (e instanceof Error) return `${e.name}: ${e.message}`;
    return typeof e === 'object' && e !== null ? Object.prototype.toString.call(e) : String(e);
  } catch {
    return 'a value that cannot be described';
  }
}
