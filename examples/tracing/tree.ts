/**
 * Spans from every thread to the main thread (a BroadcastChannel): printed
 * there as a trace tree, and exported from there (one exporter, flushed
 * before the process exits, whatever became of the executor threads).
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { HrTime, Link, SpanContext, SpanKind } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace-base';

/** A span as plain data (what a BroadcastChannel can carry). */
interface SpanData {
  readonly name: string;
  readonly kind: SpanKind;
  readonly context: SpanContext;
  readonly parent: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: ReadableSpan['status'];
  readonly attributes: ReadableSpan['attributes'];
  readonly links: Link[];
  readonly events: TimedEvent[];
  readonly scope: ReadableSpan['instrumentationScope'];
  readonly resource: ReadableSpan['resource']['attributes'];
}

const CHANNEL = 'troupe-example-spans';
const KINDS = ['internal', 'server', 'client', 'producer', 'consumer'];
const ms = (t: HrTime) => t[0] * 1e3 + t[1] / 1e6;

export class ChannelExporter implements SpanExporter {
  private readonly channel = new BroadcastChannel(CHANNEL);
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    for (const s of spans) {
      const data: SpanData = {
        name: s.name,
        kind: s.kind,
        context: { ...s.spanContext(), traceState: undefined },
        parent:
          s.parentSpanContext === undefined ? undefined : { ...s.parentSpanContext, traceState: undefined },
        startTime: s.startTime,
        endTime: s.endTime,
        duration: s.duration,
        status: s.status,
        attributes: s.attributes,
        links: s.links.map((l) => ({ ...l, context: { ...l.context, traceState: undefined } })),
        events: s.events,
        scope: s.instrumentationScope,
        resource: s.resource.attributes,
      };
      this.channel.postMessage(data);
    }
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {
    this.channel.close();
  }
}

/** The spans every thread's ChannelExporter sent, as the SDK's ReadableSpans again. */
export function collectSpans(): { spans: ReadableSpan[]; close(): void } {
  const channel = new BroadcastChannel(CHANNEL);
  const spans: ReadableSpan[] = [];
  channel.onmessage = (e) => {
    const d = (e as { data: SpanData }).data;
    spans.push({
      name: d.name,
      kind: d.kind,
      spanContext: () => d.context,
      parentSpanContext: d.parent,
      startTime: d.startTime,
      endTime: d.endTime,
      duration: d.duration,
      status: d.status,
      attributes: d.attributes,
      links: d.links,
      events: d.events,
      ended: true,
      resource: resourceFromAttributes(d.resource),
      instrumentationScope: d.scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    });
  };
  (channel as unknown as { unref?: () => void }).unref?.();
  return { spans, close: () => channel.close() };
}

export function printTree(spans: readonly ReadableSpan[], traceId: string, out: (l: string) => void): void {
  const inTrace = spans
    .filter((s) => s.spanContext().traceId === traceId)
    .sort((a, b) => ms(a.startTime) - ms(b.startTime));
  const ids = new Set(inTrace.map((s) => s.spanContext().spanId));
  const children = (id: string | undefined) =>
    inTrace.filter((s) => {
      const p = s.parentSpanContext?.spanId;
      return id === undefined ? p === undefined || !ids.has(p) : p === id;
    });
  const walk = (s: ReadableSpan, depth: number) => {
    const executor = s.attributes['messaging.troupe.executor.id'];
    const where = executor === undefined ? '' : ` [executor ${String(executor)}]`;
    const error = s.status.code === 2 ? ' ERROR' : '';
    out(
      `${'  '.repeat(depth)}${s.name} (${KINDS[s.kind] ?? s.kind})${where} ${ms(s.duration).toFixed(2)} ms${error}`,
    );
    for (const c of children(s.spanContext().spanId)) walk(c, depth + 1);
  };
  out(`trace ${traceId}`);
  for (const root of children(undefined)) walk(root, 1);
}
