/**
 * `replay(file, { speed, filter })`: a recording (format.ts) as the same
 * typed event stream a live system gives, so every consumer of `events$`
 * (metrics, tracing, a dashboard) works on a recording too.
 *
 * 1. Parts are read in order, following each trailer's `next`; gzip parts
 *    are recognised by their first bytes.
 * 2. Errors in events come back as Error objects (name, message, stack,
 *    and a Troupe error's code and context as properties).
 * 3. `speed`: Infinity or 0 (default) emits as fast as the subscriber
 *    takes them; 1 keeps the recorded gaps, 10 is ten times faster. Gaps
 *    come from `ts` (one clock across threads) where events carry it, else `at`.
 * 4. A bad line is an `observability.replay-corrupt` event with a
 *    RecordingError (file, line) and the replay goes on; a file cut short
 *    (no trailer, a truncated gzip) ends with `observability.replay-truncated`.
 *    A file that cannot be opened or is not a recording errors the stream
 *    with a RecordingError. Nothing throws past the Observable.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type AnyTroupeEvent, ConfigError, RecordingError } from '@troupe/runtime';
import { Observable } from 'rxjs';
import { errorText } from '../report.ts';
import { HEADER_TYPE, RECORDING_VERSION, TRAILER_TYPE } from './format.ts';

export interface ReplayOptions {
  /** Infinity or 0 (default): as fast as possible; 1: the recorded pace; 10: ten times faster. */
  readonly speed?: number;
  /** Only events for which it returns true. */
  readonly filter?: (event: AnyTroupeEvent) => boolean;
}

/** An Error again, from the `{ name, message, stack, code?, context? }` a recording wrote. */
function reviveError(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string' || typeof o.message !== 'string') return v;
  const e = new Error(o.message) as Error & { code?: unknown; context?: unknown };
  Object.defineProperty(e, 'name', { value: o.name, enumerable: false, configurable: true, writable: true });
  e.stack = typeof o.stack === 'string' ? o.stack : `${o.name}: ${o.message}`;
  if (o.code !== undefined) e.code = o.code;
  if (o.context !== undefined) e.context = o.context;
  return e;
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

const timeOf = (e: Record<string, unknown>): number | null =>
  typeof e.ts === 'number' ? e.ts : typeof e.at === 'number' ? e.at : null;

export function replay(file: string, options: ReplayOptions = {}): Observable<AnyTroupeEvent> {
  if (typeof file !== 'string' || file === '') throw new ConfigError('replay(file)', 'a file path', file);
  if (options === null || typeof options !== 'object')
    throw new ConfigError('replay(file, options)', 'an object', options);
  for (const k of Object.keys(options))
    if (k !== 'speed' && k !== 'filter') throw new ConfigError(`replay(options).${k}`, 'speed or filter', k);
  const speed = options.speed ?? Number.POSITIVE_INFINITY;
  if (typeof speed !== 'number' || Number.isNaN(speed) || speed < 0)
    throw new ConfigError(
      'replay(options).speed',
      'a number ≥ 0 (0 or Infinity: as fast as possible)',
      speed,
    );
  const filter = options.filter;
  if (filter !== undefined && typeof filter !== 'function')
    throw new ConfigError('replay(options).filter', 'a function (event) => boolean', filter);
  const paced = speed > 0 && Number.isFinite(speed);

  return new Observable<AnyTroupeEvent>((sub) => {
    let stopped = false;
    let input: Readable | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let firstTime: number | null = null;
    let wallStart = 0;
    let lastAt = 0;

    const emit = async (e: AnyTroupeEvent): Promise<void> => {
      if (filter !== undefined && !filter(e)) return;
      if (paced) {
        const t = timeOf(e as unknown as Record<string, unknown>);
        if (t !== null) {
          if (firstTime === null) {
            firstTime = t;
            wallStart = performance.now();
          }
          const wait = wallStart + (t - firstTime) / speed - performance.now();
          if (wait > 1) await new Promise<void>((r) => (timer = setTimeout(r, wait)));
        }
      }
      if (!stopped) sub.next(e);
    };

    const problem = (
      type: 'observability.replay-corrupt' | 'observability.replay-truncated',
      fields: object,
    ) => emit({ type, at: lastAt, ...fields } as AnyTroupeEvent);

    /** Reads one part; returns the next part's path, or null at the end. */
    const readPart = async (path: string, part: number): Promise<string | null> => {
      const gz = await isGzip(path);
      const raw = createReadStream(path);
      input = gz ? raw.pipe(createGunzip()) : raw;
      if (gz) raw.on('error', (e) => input?.destroy(e));
      const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
      let n = 0;
      let ended: { next?: unknown } | null = null;
      try {
        for await (const line of rl) {
          if (stopped) return null;
          n++;
          if (line.trim() === '') continue;
          let v: Record<string, unknown>;
          try {
            v = JSON.parse(line, (k, x) => (k === 'error' ? reviveError(x) : x)) as Record<string, unknown>;
            if (v === null || typeof v !== 'object' || typeof v.type !== 'string')
              throw new Error('not an event object');
          } catch (x) {
            if (n === 1)
              throw new RecordingError(
                path,
                'header',
                `the first line is not JSON (${errorText(x)}): not a recording`,
              );
            await problem('observability.replay-corrupt', {
              file: path,
              line: n,
              error: new RecordingError(path, 'parse', errorText(x), { line: n, cause: x }),
            });
            continue;
          }
          if (n === 1) {
            if (v.type !== HEADER_TYPE)
              throw new RecordingError(
                path,
                'header',
                `the first line is a ${String(v.type)}, not a ${HEADER_TYPE} header`,
              );
            if (v.version !== RECORDING_VERSION)
              throw new RecordingError(
                path,
                'header',
                `version ${String(v.version)} (this replay reads ${RECORDING_VERSION})`,
              );
            if (v.part !== part)
              throw new RecordingError(
                path,
                'header',
                `part ${String(v.part)} where part ${part} was expected`,
              );
            continue;
          }
          if (v.type === TRAILER_TYPE) {
            ended = v;
            break;
          }
          if (typeof v.at === 'number') lastAt = v.at;
          await emit(v as unknown as AnyTroupeEvent);
        }
      } catch (x) {
        if (x instanceof RecordingError) throw x;
        if (n === 0) throw new RecordingError(path, 'read', errorText(x), { cause: x });
        // A gzip stream cut short, or a read error mid-file: what was read stands.
        await problem('observability.replay-truncated', {
          file: path,
          lines: n,
          error: new RecordingError(path, 'read', errorText(x), { line: n, cause: x }),
        });
        return null;
      } finally {
        rl.close();
        input?.destroy();
      }
      if (stopped) return null;
      if (n === 0) throw new RecordingError(path, 'header', 'the file is empty: not a recording');
      if (ended === null) {
        await problem('observability.replay-truncated', { file: path, lines: n });
        return null;
      }
      const next = ended.next;
      return typeof next === 'string' ? join(dirname(path), basename(next)) : null;
    };

    (async () => {
      let path: string | null = file;
      for (let part = 0; path !== null && !stopped; part++) {
        const current: string = path;
        try {
          path = await readPart(current, part);
        } catch (x) {
          if (part > 0 && !(x instanceof RecordingError)) {
            await problem('observability.replay-truncated', {
              file: current,
              lines: 0,
              error: new RecordingError(current, 'open', errorText(x), { cause: x }),
            });
            break;
          }
          throw x instanceof RecordingError
            ? x
            : new RecordingError(file, 'open', errorText(x), { cause: x });
        }
      }
      if (!stopped) sub.complete();
    })().catch((e: unknown) => {
      if (!stopped) sub.error(e);
    });

    return () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      input?.destroy();
    };
  });
}
