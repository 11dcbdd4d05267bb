/**
 * How values cross a thread (the @troupe/scheduler codec, msgpackr): refs
 * cross as (id, name, def) and are re-bound to the decoding host; a
 * TroupeError crosses as an instance of its own class, with its code, context
 * and cause. `checkPortable` says beforehand what in a value could not.
 */
import {
  type CheckOptions,
  decode,
  findUnserializable,
  registerErrorClass,
  registerExtension,
} from '@troupe/scheduler';
import * as errors from './errors.ts';
import { ActorRef } from './ref.ts';

/** What decoding needs of a host: the one ref it uses for an id (host.ts `refFor`). */
export interface RefSource {
  refFor(id: number, name: string | undefined, def: string): ActorRef;
}

// Refs cross threads as (id, name, def) and are re-bound to the decoding host.
let decodingHost: RefSource | null = null;
registerExtension<ActorRef>({
  Class: ActorRef,
  type: 0x41,
  write: (r) => [r.id, r.name ?? null, r.def],
  read: ([id, name, def]: [number, string | null, string]) => {
    if (decodingHost === null) throw new Error('ActorRef decoded outside a host (runtime bug)');
    return decodingHost.refFor(id, name ?? undefined, def);
  },
});

// A TroupeError crosses as an instance of its own class, with its code, context and cause.
for (const v of Object.values(errors))
  if (typeof v === 'function' && v.prototype instanceof errors.TroupeError)
    registerErrorClass(v as unknown as abstract new (...args: never[]) => Error);

/** Decodes bytes with refs bound to `host`. */
export function decodeFor<T>(host: RefSource, bytes: Uint8Array): T {
  const prev = decodingHost;
  decodingHost = host;
  try {
    return decode<T>(bytes);
  } finally {
    decodingHost = prev;
  }
}

const portable = (v: object): boolean => v instanceof ActorRef;

/**
 * Finds what in `value` cannot cross a thread; undefined when all of it can.
 * `options` (@troupe/scheduler CheckOptions): `anyError` lets errors of any
 * class cross (as their nearest registered class) — for what is reported, not
 * for messages or state; `depth` and `enclosing` place a part checked on its own.
 */
export function checkPortable(value: unknown, root: string, options?: CheckOptions) {
  return findUnserializable(value, root, portable, options);
}
