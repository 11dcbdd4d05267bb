/**
 * `troupe dashboard --attach URL`: a local dashboard whose data comes from
 * another process's dashboard (its /events, /snapshot and /api/*), with the
 * token added here so the browser never needs it. Each request is one
 * upstream request; a client that leaves ends it.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ConfigError } from '@troupe/runtime';

export function attachUrl(raw: unknown, path: string): URL {
  let u: URL;
  try {
    u = new URL(String(raw));
  } catch {
    throw new ConfigError(path, 'an http(s) URL such as http://127.0.0.1:7070', raw);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new ConfigError(path, 'an http(s) URL such as http://127.0.0.1:7070', raw);
  return u;
}

export class UpstreamProxy {
  constructor(
    readonly base: URL,
    private readonly token: string | null,
  ) {}

  forward(req: IncomingMessage, res: ServerResponse, pathAndQuery: string): void {
    const target = new URL(pathAndQuery, this.base);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const up = request(
      target,
      {
        method: 'GET',
        headers: {
          accept: req.headers.accept ?? '*/*',
          ...(this.token !== null ? { authorization: `Bearer ${this.token}` } : {}),
        },
        timeout: 15_000,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, {
          'content-type': r.headers['content-type'] ?? 'application/json; charset=utf-8',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        r.pipe(res);
      },
    );
    up.on('timeout', () => up.destroy(new Error('no answer within 15 s')));
    up.on('error', (e: NodeJS.ErrnoException) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: `cannot reach ${this.base.origin}: ${e.code ?? e.message}` }));
      } else res.destroy();
    });
    res.on('close', () => up.destroy());
    up.end();
  }
}
