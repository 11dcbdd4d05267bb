/**
 * Helpers for shutdown tests: drive a SimulatedClock while a shutdown runs,
 * and check the accounting invariant.
 */
import type { SimulatedClock, SystemStats } from '@troupe/runtime';
import { expect } from 'vitest';

/** Lets real macrotasks run (the dispatcher, drain polls) without moving simulated time. */
export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Awaits `p`, advancing `clock` by `stepMs` after each macrotask turn in which
 * it did not settle. Deadlines are then met within one step.
 */
export async function drive<T>(
  p: Promise<T>,
  clock: SimulatedClock,
  stepMs = 10,
  maxMs = 600_000,
): Promise<T> {
  let done = false;
  let failed = false;
  let value: T | undefined;
  let error: unknown;
  p.then(
    (v) => {
      done = true;
      value = v;
    },
    (e) => {
      done = failed = true;
      error = e;
    },
  );
  const start = clock.now();
  for (;;) {
    await tick();
    await tick();
    if (done) break;
    if (clock.now() - start > maxMs) throw new Error(`drive: not settled after ${maxMs} simulated ms`);
    clock.advance(stepMs);
  }
  if (failed) throw error;
  return value as T;
}

/** Every message is processed or dead-lettered: nothing in flight, nothing vanished. */
export function expectAccounted(s: SystemStats): void {
  expect(s.inFlight).toBe(0);
  expect(s.sent).toBe(s.processed + s.deadLettered.total);
}
