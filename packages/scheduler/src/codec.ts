/**
 * The one msgpackr configuration every thread uses for frames and snapshots.
 *
 * Structured-clone mode keeps cycles, Maps, Sets, Dates and typed arrays;
 * records make repeated object shapes (message envelopes) compact. Extensions
 * for runtime classes (actor refs) are registered by the runtime through
 * `registerExtension`, so both ends of a channel decode the same types.
 */
import { addExtension, Packr } from 'msgpackr';

export const packr = new Packr({ structuredClone: true, useRecords: true, moreTypes: true });

export function encode(value: unknown): Uint8Array {
  return packr.pack(value);
}

export function decode<T = unknown>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}

export interface Extension<T> {
  readonly Class: new (...args: any[]) => T;
  /** msgpack extension type, 1–100 (reserved by msgpackr: 0x69–0x78 and ≥ 0xd0). */
  readonly type: number;
  write(value: T): unknown;
  read(data: any): T;
}

export function registerExtension<T>(ext: Extension<T>): void {
  addExtension(ext as Parameters<typeof addExtension>[0]);
}
