/**
 * A loopback HTTP server for `/metrics`, for programs that have no server of
 * their own (with one, mount `PrometheusMetrics.handler` on it instead).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '@troupe/runtime';
import type { PrometheusMetrics } from './prometheus.ts';

export interface ServeMetricsOptions {
  /** Default 9464 (OpenTelemetry's Prometheus exporter port); 0 picks a free one. */
  readonly port?: number;
  /** Default 127.0.0.1: metrics say a lot about a program, so other hosts are opt-in. */
  readonly host?: string;
  /** Default `/metrics`; other paths answer 404. */
  readonly path?: string;
}

export interface MetricsServer {
  readonly server: Server;
  /** `http://host:port/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function serveMetrics(
  metrics: PrometheusMetrics,
  options: ServeMetricsOptions = {},
): Promise<MetricsServer> {
  const port = options.port ?? 9464;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535))
    throw new ConfigError('serveMetrics(options).port', 'an integer in [0, 65535]', port);
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/metrics';
  if (typeof path !== 'string' || !path.startsWith('/'))
    throw new ConfigError('serveMetrics(options).path', 'a path starting with /', path);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === path) metrics.handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${shown}:${addr.port}${path}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
