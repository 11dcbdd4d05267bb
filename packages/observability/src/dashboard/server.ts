/**
 * `serveDashboard(system)`: the web dashboard over node:http.
 *
 * 1. Options are checked first (ConfigError names the bad one); bound beyond
 *    loopback it requires a token (auth.ts) and the start line says so.
 * 2. Every request: GET only, a well-formed path, the token when one is
 *    required; then assets (assets.ts), the JSON API (routes.ts), or
 *    GET /events — server-sent events (sse.ts): `hello` and `snapshot` at
 *    once, then a `tick` a second.
 * 3. The feed (feed.ts) turns per-message sampling on with the first client
 *    and off with the last.
 * 4. `close()` ends the streams, the server and the feed; the system is untouched.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ActorSystem, ConfigError } from '@troupe/runtime';
import { type Asset, loadAssets } from './assets.ts';
import { COOKIE, checkToken, isLoopback, TokenCheck } from './auth.ts';
import { type Feed, LiveFeed } from './feed.ts';
import type { UpstreamProxy } from './proxy.ts';
import { api, BadRequest } from './routes.ts';
import { frame, SseHub } from './sse.ts';

export interface DashboardOptions {
  /** TCP port; 0 picks a free one. Default 7070. */
  readonly port?: number;
  /** Interface to bind. Default 127.0.0.1; anything else requires `token`. */
  readonly host?: string;
  /** Required beyond loopback (at least 16 characters); optional on loopback. */
  readonly token?: string;
  /** Browser tabs (and `troupe top`s) streaming at once. Default 32. */
  readonly maxClients?: number;
  /** Live actors the actors table lists; the rest are counted. Default 10,000. */
  readonly maxActors?: number;
  /** Shown in the page's title. Default "troupe". */
  readonly title?: string;
  /** Where the start line goes (default console.log); false: nowhere. */
  readonly log?: ((line: string) => void) | false;
}

export interface DashboardServer {
  /** The page's address, e.g. http://127.0.0.1:7070/ */
  readonly url: string;
  readonly port: number;
  /** Streams open now. */
  readonly clients: number;
  /** Stops serving (streams end); the system goes on. */
  close(): Promise<void>;
}

const KEYS = ['port', 'host', 'token', 'maxClients', 'maxActors', 'title', 'log'];
export const DEFAULT_PORT = 7070;

interface Resolved {
  port: number;
  host: string;
  token: string | null;
  maxClients: number;
  maxActors: number;
  title: string;
  log: (line: string) => void;
}

export function resolveDashboardOptions(o: DashboardOptions | undefined, path: string): Resolved {
  if (o !== undefined && (o === null || typeof o !== 'object'))
    throw new ConfigError(path, 'an options object', o);
  const opts = o ?? {};
  for (const k of Object.keys(opts))
    if (!KEYS.includes(k)) throw new ConfigError(`${path}.${k}`, `one of ${KEYS.join(', ')}`, k);
  const port = opts.port ?? DEFAULT_PORT;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535))
    throw new ConfigError(`${path}.port`, 'an integer from 0 to 65535', port);
  const host = opts.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '')
    throw new ConfigError(`${path}.host`, 'a host name or address', host);
  const maxClients = opts.maxClients ?? 32;
  if (!(Number.isInteger(maxClients) && maxClients >= 1 && maxClients <= 1000))
    throw new ConfigError(`${path}.maxClients`, 'an integer from 1 to 1000', maxClients);
  const maxActors = opts.maxActors ?? 10_000;
  if (!(Number.isInteger(maxActors) && maxActors >= 1 && maxActors <= 1_000_000))
    throw new ConfigError(`${path}.maxActors`, 'an integer from 1 to 1,000,000', maxActors);
  const title = opts.title ?? 'troupe';
  if (typeof title !== 'string' || title.length > 100)
    throw new ConfigError(`${path}.title`, 'a string of at most 100 characters', title);
  const log = opts.log === false ? () => {} : (opts.log ?? ((l: string) => console.log(l)));
  if (typeof log !== 'function') throw new ConfigError(`${path}.log`, 'a function or false', opts.log);
  return { port, host, token: checkToken(host, opts.token, path), maxClients, maxActors, title, log };
}

/** Serves the dashboard of a running system (one line in a service: `await serveDashboard(system)`). */
export async function serveDashboard(
  system: ActorSystem,
  options?: DashboardOptions,
): Promise<DashboardServer> {
  const o = resolveDashboardOptions(options, 'serveDashboard(options)');
  const feed = new LiveFeed(system, { maxActors: o.maxActors, title: o.title });
  return listen(o, { feed }, 'live');
}

/** @internal the server over any feed (a recording's, replay-feed.ts) or another process's stream (proxy.ts). */
export async function listen(
  o: Resolved,
  source: { feed: Feed } | { proxy: UpstreamProxy },
  what: string,
): Promise<DashboardServer> {
  const assets = loadAssets();
  const auth = new TokenCheck(o.token);
  const feed = 'feed' in source ? source.feed : null;
  const hub = new SseHub(o.maxClients, (active) => feed?.watch(active));
  if (feed !== null) feed.onSecond = () => hub.broadcast(frame('tick', feed.tick(hub.size, false)));
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      // A bug of ours must not take the service down: answer 500 and go on.
      if (!res.headersSent) json(res, 500, { error: `dashboard: ${(e as Error)?.message ?? String(e)}` });
      else res.destroy();
    }
  });
  server.maxConnections = o.maxClients * 4 + 64;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  // Each branch returns what answered it (ignored): one `return` per answer keeps the routes flat.
  function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = req.url ?? '';
    if (!raw.startsWith('/'))
      return json(res, 400, { error: 'malformed request: the path must start with /' });
    let url: URL;
    try {
      url = new URL(`http://dashboard${raw}`);
    } catch {
      return json(res, 400, { error: 'malformed request: the URL does not parse' });
    }
    if (req.method !== 'GET')
      return json(
        res,
        405,
        { error: `method ${req.method} not allowed: the dashboard only answers GET` },
        { allow: 'GET' },
      );
    const offered = TokenCheck.offered(req, url);
    if (!auth.allows(offered))
      return json(
        res,
        401,
        {
          error:
            'a valid token is required: Authorization: Bearer <token>, or ?token=<token> on the page URL',
        },
        { 'www-authenticate': 'Bearer' },
      );
    const extra: Record<string, string> =
      auth.required && url.searchParams.has('token')
        ? {
            'set-cookie': `${COOKIE}=${encodeURIComponent(offered ?? '')}; HttpOnly; SameSite=Strict; Path=/`,
          }
        : {};
    const path = url.pathname;
    const asset: Asset | undefined = assets.get(path === '/index.html' ? '/' : path);
    if (asset !== undefined) return send(res, 200, asset.body, asset.type, extra);
    if ('proxy' in source) {
      if (path === '/events' || path === '/snapshot' || path.startsWith('/api/'))
        return source.proxy.forward(req, res, `${path}${url.search}`);
      return json(res, 404, { error: `no such page: ${path.slice(0, 100)}` });
    }
    const f = source.feed;
    if (path === '/events') {
      const first =
        frame('hello', f.hello) +
        frame('snapshot', { tick: f.tick(hub.size + 1, true), history: f.model.history() });
      if (!hub.add(res, first))
        json(
          res,
          503,
          { error: `too many dashboard clients (at most ${o.maxClients}): close a tab and retry` },
          { 'retry-after': '5' },
        );
      return;
    }
    try {
      const a = api(f, path, url.searchParams, hub.size);
      if (a !== null) return json(res, a.status, a.body, extra);
    } catch (e) {
      if (e instanceof BadRequest) return json(res, 400, { error: e.message });
      throw e;
    }
    json(res, 404, { error: `no such page: ${path.slice(0, 100)}` });
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => {
      feed?.close();
      reject(
        new ConfigError(
          'dashboard port',
          `a free port on ${o.host}`,
          `${o.port} (${(e as NodeJS.ErrnoException).code ?? e.message})`,
        ),
      );
    };
    server.once('error', onError);
    server.listen(o.port, o.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // A service's dashboard must not keep the process alive on its own.
  server.unref();
  const port = (server.address() as AddressInfo).port;
  const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${shown}:${port}/`;
  o.log(
    `troupe dashboard (${what}): ${url} — ${
      auth.required
        ? `token required (Authorization: Bearer <token>, or open ${url}?token=<token>)`
        : 'bound to loopback, no token'
    }${isLoopback(o.host) ? '' : '; reachable from other machines'}`,
  );
  return {
    url,
    port,
    get clients() {
      return hub.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        hub.closeAll();
        feed?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const SECURITY = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
};

function send(
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  type: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache', ...SECURITY, ...extra });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8', extra);
}
