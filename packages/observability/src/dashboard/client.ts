/**
 * Reading a dashboard's stream from another process (`troupe top --attach`):
 * GET /events, parsed as server-sent events. One frame is at most MAX_FRAME
 * characters — a stream that sends more is not a dashboard, and is dropped.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Hello, Point, Tick } from './protocol.ts';

const MAX_FRAME = 16 << 20;

export interface StreamHandlers {
  hello?(h: Hello): void;
  snapshot?(s: { tick: Tick; history: Point[] }): void;
  tick?(t: Tick): void;
  /** The stream ended or failed: a message a person can act on. */
  end(reason: string): void;
}

export function streamTicks(base: URL, token: string | null, h: StreamHandlers): { close(): void } {
  const target = new URL('/events', base);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  let ended = false;
  const end = (reason: string) => {
    if (ended) return;
    ended = true;
    h.end(reason);
  };
  const req = request(
    target,
    {
      headers: {
        accept: 'text/event-stream',
        ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
      },
      timeout: 15_000,
    },
    (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (body.length < 2000) body += d;
        });
        res.on('end', () => end(`${base.origin} answered ${res.statusCode}: ${errorOf(body)}`));
        return;
      }
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i = buf.indexOf('\n\n');
        while (i >= 0) {
          dispatch(buf.slice(0, i));
          buf = buf.slice(i + 2);
          i = buf.indexOf('\n\n');
        }
        if (buf.length > MAX_FRAME) {
          end(`${base.origin} sent a frame over ${MAX_FRAME} characters: not a troupe dashboard stream`);
          req.destroy();
        }
      });
      res.on('end', () => end(`${base.origin} closed the stream`));
      res.on('error', (e) => end(`${base.origin}: ${e.message}`));
    },
  );
  req.on('timeout', () => req.destroy(new Error('no data for 15 s')));
  req.on('error', (e: NodeJS.ErrnoException) => end(`cannot reach ${base.origin}: ${e.code ?? e.message}`));
  req.end();

  function dispatch(block: string): void {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trimStart();
    }
    if (data === '') return;
    let v: unknown;
    try {
      v = JSON.parse(data);
    } catch {
      end(`${base.origin} sent a frame that is not JSON: not a troupe dashboard stream`);
      req.destroy();
      return;
    }
    if (event === 'hello') h.hello?.(v as Hello);
    else if (event === 'snapshot') h.snapshot?.(v as { tick: Tick; history: Point[] });
    else if (event === 'tick') h.tick?.(v as Tick);
  }

  return {
    close() {
      ended = true;
      req.destroy();
    },
  };
}

function errorOf(body: string): string {
  try {
    const e = (JSON.parse(body) as { error?: unknown }).error;
    if (typeof e === 'string') return e;
  } catch {
    // not JSON: show its start
  }
  return body.slice(0, 200) || '(no body)';
}
