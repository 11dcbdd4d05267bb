/**
 * Traces through a pipeline over 2 executors: one trace per order, from the
 * `order` span on the main thread through parse → price → store on the
 * executors, printed as a tree. With OTEL_EXPORTER_OTLP_ENDPOINT set (e.g.
 * http://localhost:4318) the same spans are exported over OTLP/HTTP.
 *
 * Every executor imports setup.ts first (its own provider: one registered on
 * the main thread is not visible in a worker); spans from every thread reach
 * the main thread, which prints and exports them.
 *
 * Run: node --conditions=@troupe/source --import tsx examples/tracing/main.ts
 */
import { trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { createSystem } from '@troupe/runtime';
import { Parser, Pricer, Store } from './actors.ts';
import { plugins, provider } from './setup.ts';
import { collectSpans, printTree } from './tree.ts';

const collected = collectSpans();
const system = await createSystem({
  actors: new URL('./actors.ts', import.meta.url),
  executors: 2,
  plugins, // the main thread's
  executorSetup: new URL('./setup.ts', import.meta.url), // each executor's
  deadLetters: { log: false },
});
const store = await system.spawn(Store, undefined, { placement: { executor: 2 } });
const pricer = await system.spawn(Pricer, { store }, { placement: { executor: 1 } });
const parser = await system.spawn(Parser, { pricer }, { placement: { executor: 2 } });

const orders = [' book ', 'lamp', '']; // the empty one fails at the pricer
const traces: string[] = [];
const tracer = trace.getTracer('example');
for (const [id, raw] of orders.entries())
  tracer.startActiveSpan(`order ${id}`, (span) => {
    traces.push(span.spanContext().traceId);
    parser.tell({ type: 'order', id, raw });
    span.end();
  });

// Two orders reach the store; then every span (the failed one's too) reaches this thread.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
while (Number(await store.ask({ type: 'stored' })) < 2) await sleep(10);
const has = (name: string) => collected.spans.filter((s) => s.name === name).length;
for (let i = 0; i < 1000 && (has('process store') < 2 || has('process pricer') < 3); i++) await sleep(10);
await system.shutdown();
await provider.forceFlush();

for (const t of traces) printTree(collected.spans, t, (l) => console.log(l));
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  const exporter = new OTLPTraceExporter();
  const result = await new Promise<{ code: number; error?: Error }>((r) =>
    exporter.export(collected.spans, r),
  );
  console.log(
    result.code === ExportResultCode.SUCCESS
      ? `exported ${collected.spans.length} spans to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`
      : `OTLP export failed: ${result.error?.message}`,
  );
  await exporter.shutdown();
}
collected.close();
await provider.shutdown();
