/**
 * `@troupe/observability/otel`: what needs `@opentelemetry/api` (an optional
 * peer dependency), apart from the main entry so that a program without it
 * can still use the rest of the package.
 */
export { type OtelMetrics, type OtelMetricsOptions, otelMetrics } from './metrics/otel.ts';
export { SCHEMA_URL } from './tracing/conventions.ts';
export { type TracingOptions, tracing } from './tracing/plugin.ts';
