/**
 * A small OTLP/HTTP trace receiver for the tests (no collector installs here):
 * `node:http` on 127.0.0.1, POST /v1/traces, JSON or protobuf bodies, gzip or
 * not. Spans come out flattened, ids in hex, attributes as a plain object.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP's numbering: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Record<string, unknown>;
  readonly links: Array<{ traceId: string; spanId: string }>;
  readonly status: { code?: number; message?: string };
  readonly events: Array<{ name: string; attributes: Record<string, unknown> }>;
  readonly scope: string;
  readonly body: 'json' | 'protobuf';
}

export interface OtlpReceiver {
  readonly url: string;
  readonly spans: ReceivedSpan[];
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

type Any = Record<string, any>;

const hex = (v: unknown): string =>
  typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : '';

function value(v: Any | undefined): unknown {
  if (v == null) return undefined;
  if ('stringValue' in v && v.stringValue != null) return v.stringValue;
  if ('intValue' in v && v.intValue != null) return Number(v.intValue);
  if ('doubleValue' in v && v.doubleValue != null) return Number(v.doubleValue);
  if ('boolValue' in v && v.boolValue != null) return v.boolValue;
  if ('arrayValue' in v && v.arrayValue != null) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

const attrs = (list: Any[] | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map((a) => [a.key, value(a.value)]));

function flatten(req: Any, body: 'json' | 'protobuf'): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of req.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? []) {
        const parent = hex(s.parentSpanId);
        out.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: parent === '' ? undefined : parent,
          name: s.name,
          kind: Number(s.kind),
          attributes: attrs(s.attributes),
          links: (s.links ?? []).map((l: Any) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId) })),
          status: { code: s.status?.code, message: s.status?.message },
          events: (s.events ?? []).map((e: Any) => ({ name: e.name, attributes: attrs(e.attributes) })),
          scope: ss.scope?.name ?? '',
          body,
        });
      }
  return out;
}

let decoder: { decode(b: Uint8Array): Any } | null = null;
function decodeProtobuf(b: Buffer): Any {
  decoder ??= require('otlp-transformer-0216/build/src/generated/root.js').opentelemetry.proto.collector.trace
    .v1.ExportTraceServiceRequest;
  return decoder!.decode(b);
}

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

export async function otlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    read(req)
      .then((b) => {
        const proto = (req.headers['content-type'] ?? '').includes('protobuf');
        spans.push(
          ...flatten(proto ? decodeProtobuf(b) : JSON.parse(b.toString()), proto ? 'protobuf' : 'json'),
        );
        res
          .writeHead(200, { 'content-type': proto ? 'application/x-protobuf' : 'application/json' })
          .end(proto ? '' : '{}');
      })
      .catch((e: unknown) => res.writeHead(400).end(String(e)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
