/**
 * `record(system, path)`: the event stream to an NDJSON recording
 * (format.ts), optionally gzip, in parts of at most `maxBytes`.
 *
 * 1. Backpressure: a line goes to the file stream while it accepts
 *    (`write()` true); once it says wait, lines queue — at most
 *    `maxQueued` — until it drains. Past that, events are dropped and
 *    counted: an event stream cannot be paused, and memory must not grow
 *    without limit behind a slow disk. Every trailer says how many were
 *    dropped so far.
 * 2. Shutdown: the recording flushes in the `flush` phase (what is queued
 *    reaches the file before executors terminate) and ends when the
 *    system's stream completes, right after `shutdown.completed`, so the
 *    shutdown report is the last event of the file; `closed` resolves when
 *    the file is closed (await it before `process.exit`).
 * 3. Failures (a file that cannot be opened or written, an event that
 *    cannot be encoded) are an `observability.recording-failed` event and a
 *    log line, with a RecordingError; events that then cannot be written
 *    count as dropped. The actors keep running.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import { type ActorSystem, type AnyTroupeEvent, ConfigError, RecordingError } from '@troupe/runtime';
import type { Observable, Subscription } from 'rxjs';
import { errorText, reportFailure } from '../report.ts';
import {
  eventLine,
  HEADER_TYPE,
  partPath,
  RECORDING_VERSION,
  type RecordingHeader,
  type RecordingTrailer,
  TRAILER_TYPE,
} from './format.ts';

export interface RecordOptions {
  /** gzip every part. Default: whether `path` ends with `.gz`. */
  readonly gzip?: boolean;
  /** Start a new part once a part holds this many bytes of events (before gzip). Default: one file. */
  readonly maxBytes?: number;
  /** Lines that may wait for a slow file before events are dropped. Default 10,000. */
  readonly maxQueued?: number;
  /** Record per-message events too (`events$`; turns them on). Default true; false records lifecycle events only (`system.observe({ sampleRate: 0 })`). */
  readonly perMessage?: boolean;
}

export interface RecordingSummary {
  /** Every part written, in order. */
  readonly files: readonly string[];
  readonly events: number;
  readonly dropped: number;
  /** The first failure, if any. */
  readonly error: RecordingError | null;
}

export interface Recording {
  readonly files: readonly string[];
  /** Events handed to the file so far. */
  readonly events: number;
  /** Events not recorded (queue full, or after a failure). */
  readonly dropped: number;
  readonly error: RecordingError | null;
  /** Resolves once what was recorded so far is handed to the file (the shutdown `flush` phase awaits it). */
  flush(): Promise<void>;
  /** Stops recording, writes the trailer, closes the file. Idempotent. */
  close(): Promise<RecordingSummary>;
  /** Resolves when the recording is closed, however (close(), the stream's end, shutdown). */
  readonly closed: Promise<RecordingSummary>;
}

interface Part {
  readonly file: string;
  readonly out: Writable;
  readonly done: Promise<void>;
  bytes: number;
}

const KEYS = ['gzip', 'maxBytes', 'maxQueued', 'perMessage'];

function resolve(path: unknown, o: RecordOptions) {
  if (typeof path !== 'string' || path === '')
    throw new ConfigError('record(source, path)', 'a file path', path);
  if (o === null || typeof o !== 'object')
    throw new ConfigError('record(source, path, options)', 'an object', o);
  for (const k of Object.keys(o))
    if (!KEYS.includes(k)) throw new ConfigError(`record(options).${k}`, `one of ${KEYS.join(', ')}`, k);
  if (o.gzip !== undefined && typeof o.gzip !== 'boolean')
    throw new ConfigError('record(options).gzip', 'a boolean', o.gzip);
  if (o.perMessage !== undefined && typeof o.perMessage !== 'boolean')
    throw new ConfigError('record(options).perMessage', 'a boolean', o.perMessage);
  const maxBytes = o.maxBytes ?? Number.POSITIVE_INFINITY;
  if (!(maxBytes === Number.POSITIVE_INFINITY || (Number.isInteger(maxBytes) && maxBytes >= 1024)))
    throw new ConfigError('record(options).maxBytes', 'an integer ≥ 1024 (bytes)', o.maxBytes);
  const maxQueued = o.maxQueued ?? 10_000;
  if (!(Number.isInteger(maxQueued) && maxQueued >= 0))
    throw new ConfigError('record(options).maxQueued', 'an integer ≥ 0', o.maxQueued);
  return { gzip: o.gzip ?? path.endsWith('.gz'), maxBytes, maxQueued, perMessage: o.perMessage !== false };
}

function isSystem(s: unknown): s is ActorSystem {
  return s !== null && typeof s === 'object' && typeof (s as ActorSystem).onShutdown === 'function';
}

function systemSummary(s: ActorSystem): Record<string, unknown> {
  const o = s.options;
  return {
    executors: o.executors,
    throughput: o.throughput,
    askTimeoutMs: o.askTimeoutMs,
    events: o.events,
    definitions: s.definitions(),
  };
}

/** Records `source` (a system's event stream, or any stream of events) to `path`. */
export function record(
  source: ActorSystem | Observable<AnyTroupeEvent>,
  path: string,
  options: RecordOptions = {},
): Recording {
  const o = resolve(path, options);
  const system = isSystem(source) ? source : null;
  if (
    system === null &&
    (source === null || typeof (source as Observable<unknown>)?.subscribe !== 'function')
  )
    throw new ConfigError('record(source)', 'an ActorSystem or an Observable of events', source);
  const startedAt = Date.now();
  const summary = system === null ? null : systemSummary(system);
  const files: string[] = [];
  const partsDone: Promise<void>[] = [];
  const queue: string[] = [];
  let part: Part | null = null;
  let waiting = false;
  let events = 0;
  let dropped = 0;
  let error: RecordingError | null = null;
  let closing: Promise<RecordingSummary> | null = null;
  let flushWaiters: Array<() => void> = [];
  let sub: Subscription | null = null;
  let unhook: (() => void) | null = null;
  let finish!: (s: RecordingSummary) => void;
  const closed = new Promise<RecordingSummary>((r) => (finish = r));

  const fail = (e: RecordingError): void => {
    if (error === null) {
      error = e;
      reportFailure(
        system,
        'observability.recording-failed',
        `${e.message} (recording stops; events count as dropped)`,
        {
          file: e.context.file,
          error: e,
        },
      );
    }
    dropped += queue.length;
    queue.length = 0;
    waiting = false;
    wakeFlush();
  };

  const wakeFlush = () => {
    if (waiting && error === null) return;
    const w = flushWaiters;
    flushWaiters = [];
    for (const f of w) f();
  };

  const open = (n: number): Part => {
    const file = partPath(path, n);
    files.push(file);
    const fileStream: WriteStream = createWriteStream(file);
    let out: Writable = fileStream;
    let gz: Gzip | null = null;
    if (o.gzip) {
      gz = createGzip();
      gz.pipe(fileStream);
      out = gz;
    }
    const done = new Promise<void>((resolveDone) => {
      const onError = (x: Error) => {
        fail(
          new RecordingError(
            file,
            (x as NodeJS.ErrnoException).syscall === 'open' ? 'open' : 'write',
            errorText(x),
            { cause: x },
          ),
        );
        fileStream.destroy();
        resolveDone();
      };
      fileStream.on('error', onError);
      gz?.on('error', onError);
      fileStream.on('close', () => resolveDone());
    });
    const header: RecordingHeader = {
      type: HEADER_TYPE,
      version: RECORDING_VERSION,
      startedAt,
      pid: process.pid,
      part: n,
      system: summary,
    };
    partsDone.push(done);
    const p: Part = { file, out, done, bytes: 0 };
    out.write(eventLine(header));
    return p;
  };

  const trailer = (next?: string): string => {
    const t: RecordingTrailer = {
      type: TRAILER_TYPE,
      endedAt: Date.now(),
      events,
      dropped,
      ...(next === undefined ? {} : { next }),
    };
    return eventLine(t);
  };

  const write = (line: string): void => {
    let p = part!;
    if (p.bytes > 0 && p.bytes + line.length > o.maxBytes) {
      const nextN = files.length;
      p.out.end(trailer(basename(partPath(path, nextN))));
      p = part = open(nextN);
      waiting = false;
    }
    const ok = p.out.write(line);
    p.bytes += line.length;
    events++;
    if (!ok && !waiting) {
      waiting = true;
      const current = p;
      current.out.once('drain', () => {
        if (part !== current) return;
        waiting = false;
        drainQueue();
      });
    }
  };

  const drainQueue = (): void => {
    while (queue.length > 0 && !waiting && error === null) write(queue.shift()!);
    wakeFlush();
  };

  const onEvent = (e: AnyTroupeEvent): void => {
    if (closing !== null || error !== null) {
      dropped++;
      return;
    }
    let line: string;
    try {
      line = eventLine(e);
    } catch (x) {
      dropped++;
      reportFailure(
        system,
        'observability.recording-failed',
        `recording ${path}: an ${e.type} event could not be encoded: ${errorText(x)}`,
        {
          file: path,
          error: new RecordingError(path, 'encode', errorText(x), { cause: x }),
        },
      );
      return;
    }
    if (waiting) {
      if (queue.length < o.maxQueued) queue.push(line);
      else dropped++;
      return;
    }
    write(line);
  };

  const flush = (): Promise<void> =>
    !waiting || error !== null ? Promise.resolve() : new Promise<void>((r) => flushWaiters.push(r));

  const close = (): Promise<RecordingSummary> => {
    if (closing !== null) return closing;
    sub?.unsubscribe();
    unhook?.();
    closing = (async () => {
      await flush();
      const p = part!;
      if (error === null) p.out.end(trailer());
      else p.out.destroy();
      await Promise.all(partsDone);
      const s: RecordingSummary = { files: [...files], events, dropped, error };
      finish(s);
      return s;
    })();
    return closing;
  };

  part = open(0);
  const stream =
    system === null
      ? (source as Observable<AnyTroupeEvent>)
      : o.perMessage
        ? system.events$
        : system.observe({ sampleRate: 0 });
  sub = stream.subscribe({ next: onEvent, complete: () => void close(), error: () => void close() });
  if (system !== null) unhook = system.onShutdown('flush', () => flush());
  return {
    get files() {
      return [...files];
    },
    get events() {
      return events;
    },
    get dropped() {
      return dropped;
    },
    get error() {
      return error;
    },
    flush,
    close,
    closed,
  };
}
