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
export { type DashboardOptions, type DashboardServer, serveDashboard } from './dashboard/server.ts';
export { eventToJson, toNdjson } from './ndjson.ts';
export { attachTop, type TopHandle, type TopOptions, top } from './top/top.ts';
