/**
 * Finds the first part of a value that cannot cross a thread boundary intact.
 *
 * msgpackr (like structured clone) does not fail on everything it cannot carry:
 * functions become `undefined`, class instances lose their prototype, a Promise
 * or WeakMap arrives as `{}`. A migrated actor built from such a value would
 * resume with different state, so the runtime checks before it encodes and
 * names the offending path instead of silently changing the actor.
 *
 * `isPortable` lets callers accept their own classes (e.g. ActorRef, which has
 * a codec extension).
 */
export interface SerializableProblem {
  /** JSON-pointer-like path from the root, e.g. `state.items[3].cb`. */
  readonly path: string;
  /** What was found there, e.g. `function`, `class Socket`, `symbol`. */
  readonly found: string;
}

const plainProtos = new Set<unknown>([Object.prototype, null, Array.prototype]);
const builtins = new Set<unknown>([
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  Error.prototype,
  TypeError.prototype,
  RangeError.prototype,
  ArrayBuffer.prototype,
  Uint8Array.prototype,
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
): SerializableProblem | undefined {
  // Fast paths for what most messages are (primitives, flat plain objects, and plain objects whose
  // fields are flat or the caller's portable objects such as refs), without the walk's Set: this
  // check runs for every message that crosses a thread.
  if (value === null || typeof value !== 'object') {
    const t = typeof value;
    return t === 'function' || t === 'symbol' ? { path: root, found: t } : undefined;
  }
  if (isShallow(value, isPortable)) return undefined;
  const p = visit(value, new Set(), isPortable);
  return p === undefined ? undefined : { path: root + p.path.reverse().join(''), found: p.found };
}

function isFlatPlain(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in o) {
    const v = (o as Record<string, unknown>)[k];
    const t = typeof v;
    if (t === 'object' ? v !== null : t === 'function' || t === 'symbol') return false;
  }
  return true;
}

/** A plain object whose object fields are flat plain objects or portable by the caller's rule. */
function isShallow(o: object, isPortable: ((v: object) => boolean) | undefined): boolean {
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in o) {
    const v = (o as Record<string, unknown>)[k];
    const t = typeof v;
    if (t === 'function' || t === 'symbol') return false;
    if (t === 'object' && v !== null && !isPortable?.(v as object) && !isFlatPlain(v as object)) return false;
  }
  return true;
}

/** A problem found by `visit`: its path segments, innermost first (built only once one is found). */
interface Found {
  readonly path: string[];
  readonly found: string;
}

function inside(p: Found | undefined, segment: string): Found | undefined {
  if (p !== undefined) p.path.push(segment);
  return p;
}

function visit(
  v: unknown,
  seen: Set<object>,
  isPortable: ((v: object) => boolean) | undefined,
): Found | undefined {
  const t = typeof v;
  if (t === 'function') return { path: [], found: 'function' };
  if (t === 'symbol') return { path: [], found: 'symbol' };
  if (v === null || t !== 'object') return undefined;
  const o = v as object;
  if (seen.has(o)) return undefined; // structured clone keeps cycles and shared references
  seen.add(o);
  if (isPortable?.(o)) return undefined;
  const proto = Object.getPrototypeOf(o);
  if (plainProtos.has(proto)) {
    if (Array.isArray(o)) {
      for (let i = 0; i < o.length; i++) {
        const p = visit(o[i], seen, isPortable);
        if (p) return inside(p, `[${i}]`);
      }
      return undefined;
    }
    for (const k of Object.keys(o)) {
      const p = visit((o as Record<string, unknown>)[k], seen, isPortable);
      if (p) return inside(p, `.${k}`);
    }
    return undefined;
  }
  if (proto === Map.prototype) {
    let i = 0;
    for (const [k, val] of o as Map<unknown, unknown>) {
      const pk = visit(k, seen, isPortable);
      if (pk) return inside(pk, `<key ${i}>`);
      const pv = visit(val, seen, isPortable);
      if (pv) return inside(pv, `<value ${i}>`);
      i++;
    }
    return undefined;
  }
  if (proto === Set.prototype) {
    let i = 0;
    for (const val of o as Set<unknown>) {
      const p = visit(val, seen, isPortable);
      if (p) return inside(p, `<item ${i}>`);
      i++;
    }
    return undefined;
  }
  if (builtins.has(proto)) return undefined;
  const name = (proto?.constructor as { name?: string } | undefined)?.name ?? 'anonymous';
  return { path: [], found: `class ${name}` };
}
