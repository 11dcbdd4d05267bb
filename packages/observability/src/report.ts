/**
 * How observability reports its own failures (an exporter that throws, a
 * recording file that cannot be written, a metric that cannot be read): an
 * `observability.*` event on the system's stream and a line through the
 * system's logger. Never a throw into the runtime: the actors keep running.
 */
import type { ActorSystem } from '@troupe/runtime';

export type ObservabilityEventType = `observability.${string}`;

/** Emits `type` with `fields` and logs `line`; neither may throw (a failing logger goes to stderr). */
export function reportFailure(
  system: ActorSystem | null,
  type: ObservabilityEventType,
  line: string,
  fields: Record<string, unknown> = {},
): void {
  const text = `troupe: ${line}`;
  try {
    (system?.options.logger ?? console).warn(text);
  } catch (e) {
    process.stderr.write(`${text}\ntroupe: the logger threw: ${String(e)}\n`);
  }
  if (system === null) return;
  try {
    system.host.emit({ type, at: system.clock.now(), ...fields });
  } catch {
    // A subscriber's failure is isolated by the system (observer.failed); nothing else can throw here.
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
