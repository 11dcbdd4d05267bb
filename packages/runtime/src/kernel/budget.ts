/**
 * An actor's shutdown budget: how long it gets to stop once its children are
 * gone (finish its handler, run onStop) before it is killed. Set by the
 * `shutdownMs` spawn option or a supervisor's child spec, read by shutdown's
 * phase 3 and a supervisor's kill timer; it moves with the actor.
 */
import { defineSlot, type SlotOwner } from './ext.ts';

/** OTP's default worker shutdown: how long an actor gets to stop when no spec says otherwise. */
export const DEFAULT_SHUTDOWN_MS = 5000;

const SHUTDOWN_MS = defineSlot<number>('kernel.shutdownMs', {
  encode: (ms) => ms,
  decode: (data) => (typeof data === 'number' ? data : undefined),
});

export function setShutdownMs(cell: SlotOwner, ms: number): void {
  SHUTDOWN_MS.set(cell, ms);
}

/** The budget set for `cell` (spawn option or child spec), if any. */
export function ownShutdownMs(cell: SlotOwner): number | undefined {
  return SHUTDOWN_MS.get(cell);
}

export function shutdownMsOf(cell: SlotOwner): number {
  return SHUTDOWN_MS.get(cell) ?? DEFAULT_SHUTDOWN_MS;
}
