export type {
  ActorDetail,
  ActorPage,
  ActorRow,
  ActorSort,
  DeadlockView,
  ExecutorView,
  Hello,
  Point,
  Snapshot,
  Tick,
  Totals,
} from './dashboard/protocol.ts';
export { type RecordingDashboardOptions, serveRecording } from './dashboard/replay-server.ts';
export { type DashboardOptions, type DashboardServer, serveDashboard } from './dashboard/server.ts';
export { DURATION_BUCKETS } from './metrics/buckets.ts';
export { METRICS, type MetricDef, type MetricKind } from './metrics/catalog.ts';
export {
  type CollectorOptions,
  type HistogramSample,
  type Labels,
  MetricsCollector,
  type MetricsSnapshot,
  type Sample,
} from './metrics/collector.ts';
export { type MetricsServer, type ServeMetricsOptions, serveMetrics } from './metrics/http.ts';
export { type PrometheusMetrics, type PrometheusOptions, prometheusMetrics } from './metrics/prometheus.ts';
export { eventToJson, toNdjson } from './ndjson.ts';
export {
  HEADER_TYPE,
  RECORDING_VERSION,
  type RecordingHeader,
  type RecordingTrailer,
  TRAILER_TYPE,
} from './recording/format.ts';
export { type ReplayOptions, replay } from './recording/replay.ts';
export { type Recording, type RecordingSummary, type RecordOptions, record } from './recording/writer.ts';
export { attachTop, type TopHandle, type TopOptions, top } from './top/top.ts';
