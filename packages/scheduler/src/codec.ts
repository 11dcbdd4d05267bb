/**
 * The one msgpackr configuration every thread uses for frames and snapshots.
 *
 * Structured-clone mode keeps cycles, Maps, Sets, Dates and typed arrays;
 * records make repeated object shapes (message envelopes) compact. Extensions
 * for runtime classes (actor refs) are registered by the runtime through
 * `registerExtension`, so both ends of a channel decode the same types.
 *
 * Three built-ins msgpackr would change are written here instead (the
 * portability check in serializable.ts lets them pass because of it):
 * errors keep their class, stack, fields and cause (error-codec.ts); a
 * `Buffer` comes back a `Buffer`, not a `Uint8Array`; a `RegExp` keeps its
 * `lastIndex`.
 */
import { addExtension, Packr } from 'msgpackr';
import { type ErrorRecord, readError, writeError } from './error-codec.ts';

export const packr = new Packr({ structuredClone: true, useRecords: true, moreTypes: true });

export function encode(value: unknown): Uint8Array {
  return packr.pack(value);
}

export function decode<T = unknown>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}

export interface Extension<T> {
  readonly Class: new (...args: any[]) => T;
  /** msgpack extension type, 1–100 (used by msgpackr: 0x42, 0x62, 0x65, 0x69–0x78 and ≥ 0xd0). */
  readonly type: number;
  write(value: T): unknown;
  read(data: any): T;
}

export function registerExtension<T>(ext: Extension<T>): void {
  addExtension(ext as Parameters<typeof addExtension>[0]);
}

// Types taken here: 0x43 Buffer, 0x45 Error, 0x52 RegExp (the runtime's ActorRef is 0x41).
registerExtension<Error>({
  Class: Error,
  type: 0x45,
  write: writeError,
  read: (r: ErrorRecord) => readError(r),
});
registerExtension<RegExp>({
  Class: RegExp,
  type: 0x52,
  write: (r) => [r.source, r.flags, r.lastIndex],
  read: ([source, flags, lastIndex]: [string, string, number]) => {
    const r = new RegExp(source, flags);
    r.lastIndex = lastIndex;
    return r;
  },
});
registerExtension<Buffer>({
  Class: Buffer,
  type: 0x43,
  // A Uint8Array view is written as msgpackr's typed array: the bytes, copied once into the batch.
  write: (b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  read: (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength),
});
