/**
 * The recording format (version 1): NDJSON, one file or several parts.
 *
 * ```
 * {"type":"troupe.recording","version":1,"startedAt":<epoch ms>,"pid":…,"part":0,"system":{…}}
 * {…one event per line, as eventToJson writes it (errors as {name,message,stack,code?,context?})…}
 * {"type":"troupe.recording.end","endedAt":<epoch ms>,"events":<n>,"dropped":<n>,"next"?:"<file>"}
 * ```
 *
 * - Parts: with `maxBytes`, `run.ndjson` is followed by `run.1.ndjson`,
 *   `run.2.ndjson`… (before the extension; `run.ndjson.gz` → `run.1.ndjson.gz`).
 *   Every part has a header (its `part` number) and a trailer; a part's
 *   trailer names the next part (`next`, a file name in the same folder), so
 *   `replay(first)` reads them all in order. `events` and `dropped` in a
 *   trailer count from the start of the recording to the end of that part.
 * - gzip: any part may be gzip (the first bytes say so, not the name).
 * - A file without a trailer was cut short (the process died, the disk
 *   filled): replay says so with an `observability.replay-truncated` event.
 */
import { basename, dirname, extname, join } from 'node:path';

export const RECORDING_VERSION = 1;
export const HEADER_TYPE = 'troupe.recording';
export const TRAILER_TYPE = 'troupe.recording.end';

export interface RecordingHeader {
  readonly type: typeof HEADER_TYPE;
  readonly version: number;
  readonly startedAt: number;
  readonly pid: number;
  readonly part: number;
  /** What the recorded system was made with (null for a stream that is not a system's). */
  readonly system: Readonly<Record<string, unknown>> | null;
}

export interface RecordingTrailer {
  readonly type: typeof TRAILER_TYPE;
  readonly endedAt: number;
  readonly events: number;
  readonly dropped: number;
  readonly next?: string;
}

/** The file of part `n` (0: the path itself). */
export function partPath(path: string, n: number): string {
  if (n === 0) return path;
  const dir = dirname(path);
  let base = basename(path);
  let gz = '';
  if (base.endsWith('.gz')) {
    gz = '.gz';
    base = base.slice(0, -3);
  }
  const ext = extname(base);
  const stem = ext === '' ? base : base.slice(0, -ext.length);
  return join(dir, `${stem}.${n}${ext}${gz}`);
}

/**
 * An event as one JSON line. Errors keep what identifies them (name, message,
 * stack, a Troupe error's code and context); bigints become strings.
 */
export function eventLine(event: unknown): string {
  return `${JSON.stringify(event, (_k, v) => {
    if (v instanceof Error) {
      const o: Record<string, unknown> = { name: v.name, message: v.message, stack: v.stack };
      const x = v as Error & { code?: unknown; context?: unknown };
      if (x.code !== undefined) o.code = x.code;
      if (x.context !== undefined) o.context = x.context;
      return o;
    }
    return typeof v === 'bigint' ? String(v) : v;
  })}\n`;
}
