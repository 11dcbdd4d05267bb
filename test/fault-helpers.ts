/**
 * Shared pieces of the executor fault tests: a system with a fast watchdog
 * and helpers that wait for explicit events (never for time to pass).
 */
import { type ActorSystem, type AnyTroupeEvent, createSystem, type SystemOptions } from '@troupe/runtime';
import { filter, firstValueFrom, type Observable, ReplaySubject, take, toArray } from 'rxjs';

export const actors = new URL('./fixtures/fault-actors.ts', import.meta.url);

/** Settings the fault tests (and the README's figures) use. */
export const FAST = { hangTimeoutMs: 200, watchdogIntervalMs: 50 } as const;

export interface Harness {
  readonly system: ActorSystem;
  /** Every executor.* event since start, replayed to late subscribers. */
  readonly events: Observable<AnyTroupeEvent>;
  next(type: string, count?: number): Promise<AnyTroupeEvent[]>;
  close(): Promise<void>;
}

export async function start(options: SystemOptions = {}): Promise<Harness> {
  const system = await createSystem({
    actors,
    executors: 2,
    topology: { groups: [[0], [1]] },
    stealing: false,
    ...FAST,
    ...options,
  });
  const seen = new ReplaySubject<AnyTroupeEvent>();
  const sub = system.events$
    .pipe(filter((e) => e.type.startsWith('executor.') && e.type !== 'executor.metrics'))
    .subscribe(seen);
  return {
    system,
    events: seen,
    next: (type, count = 1) =>
      firstValueFrom(
        seen.pipe(
          filter((e) => e.type === type),
          take(count),
          toArray(),
        ),
      ),
    close: async () => {
      sub.unsubscribe();
      await system.terminateExecutors();
    },
  };
}

/** Waits until every executor published and checks `sent = processed + deadLettered.total`. */
export async function balanced(system: ActorSystem) {
  await system.syncStats();
  const s = system.stats();
  return { ...s, balanced: s.sent === s.processed + s.deadLettered.total };
}
