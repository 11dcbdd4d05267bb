/**
 * Test helpers: a system on a SimulatedClock and a quiescence barrier.
 *
 * `quiesce` waits for the in-thread dispatcher to run dry: it yields to the
 * event loop (setImmediate, so microtask-armed drains and their setImmediate
 * continuations both run) until the ready queue stays empty for two
 * consecutive ticks. No wall-clock time is involved.
 */
import {
  type ActorSystem,
  createSystem,
  isConfigError,
  SimulatedClock,
  type SystemOptions,
} from '@troupe/runtime';

export async function simSystem(
  options: SystemOptions = {},
): Promise<{ system: ActorSystem; clock: SimulatedClock }> {
  const clock = new SimulatedClock();
  const system = await createSystem({ clock, ...options });
  return { system, clock };
}

export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function quiesce(system: ActorSystem, maxTicks = 10_000): Promise<void> {
  let calm = 0;
  for (let i = 0; i < maxTicks; i++) {
    await tick();
    if (system.host.dispatcher.depth === 0) {
      if (++calm >= 2) return;
    } else calm = 0;
  }
  throw new Error(`system did not quiesce within ${maxTicks} ticks`);
}

/** A promise with its resolve function exposed (to hold an async handler open). */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** `sent = processed + deadLettered.total` with nothing in flight. */
export function accounted(system: ActorSystem): {
  sent: number;
  processed: number;
  dead: number;
  inFlight: number;
} {
  const s = system.stats();
  return { sent: s.sent, processed: s.processed, dead: s.deadLettered.total, inFlight: s.inFlight };
}

/** The error a promise rejects with; fails the test if it resolves instead. */
export function rejection(p: Promise<unknown>): Promise<any> {
  return p.then(
    (v) => {
      throw new Error(`expected a rejection, got ${String(v)}`);
    },
    (e: unknown) => e,
  );
}

/** The field path a ConfigError thrown by `f` names (undefined if `f` does not throw; other errors propagate). */
export function pathOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isConfigError(e)) return e.context.path;
    throw e;
  }
  return undefined;
}
