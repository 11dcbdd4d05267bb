/**
 * Errors across threads: msgpackr keeps built-in Error classes but drops a
 * TroupeError's class, `code` and `context`. A TroupeError travels as a tagged
 * record and comes back as an instance of the same class (guards such as
 * `isAskTimeoutError` keep working for an ask answered on another thread).
 */
import * as errors from '../errors.ts';

const TAG = '__troupeError';

type Ctor = abstract new (...args: never[]) => Error;
const classes = new Map<string, Ctor>();
for (const v of Object.values(errors))
  if (typeof v === 'function' && v.prototype instanceof errors.TroupeError) classes.set(v.name, v as Ctor);

export function toWire(value: unknown): unknown {
  if (!(value instanceof errors.TroupeError)) return value;
  const e = value as errors.TroupeError & { context?: unknown };
  return { [TAG]: e.constructor.name, code: e.code, message: e.message, context: e.context, stack: e.stack };
}

export function fromWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || !(TAG in value)) return value;
  const w = value as { [TAG]: string; code: string; message: string; context: unknown; stack?: string };
  const Cls = classes.get(w[TAG]) ?? errors.TroupeError;
  const e = Object.create(Cls.prototype) as Error & { context: unknown };
  Object.defineProperty(e, 'message', { value: w.message, writable: true, configurable: true });
  Object.defineProperty(e, 'context', { value: w.context, writable: true, configurable: true });
  Object.defineProperty(e, 'code', { value: w.code, writable: true, configurable: true });
  if (w.stack !== undefined)
    Object.defineProperty(e, 'stack', { value: w.stack, writable: true, configurable: true });
  return e;
}
