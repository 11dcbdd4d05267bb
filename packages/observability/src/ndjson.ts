/**
 * NDJSON sink: one JSON object per event and line. Errors in event payloads
 * (`actor.failed`) are written as `{ name, message, stack }`, not `{}`.
 */
import type { AnyTroupeEvent } from '@troupe/runtime';
import type { Observable, Subscription } from 'rxjs';

export function eventToJson(event: AnyTroupeEvent): string {
  return JSON.stringify(event, (_k, v) =>
    v instanceof Error
      ? { name: v.name, message: v.message, stack: v.stack }
      : typeof v === 'bigint'
        ? String(v)
        : v,
  );
}

/** Writes every event as a line through `write` (e.g. a file stream's write, or process.stdout). */
export function toNdjson(events$: Observable<AnyTroupeEvent>, write: (line: string) => void): Subscription {
  return events$.subscribe((e) => write(`${eventToJson(e)}\n`));
}
