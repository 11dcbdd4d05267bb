/**
 * The dashboard of a recording (`troupe dashboard --replay file`): `replay()`'s
 * stream feeds the same model a live system does (replay-feed.ts), served by
 * the same server. A file that cannot be read, or is cut short, keeps what it
 * gave and says why on the page.
 */
import { basename } from 'node:path';
import { replay } from '../recording/replay.ts';
import { ReplayFeed } from './replay-feed.ts';
import { type DashboardOptions, type DashboardServer, listen, resolveDashboardOptions } from './server.ts';

export interface RecordingDashboardOptions extends DashboardOptions {
  /** Replay pace: Infinity or 0 (default) as fast as possible, 1 the recorded pace (replay()'s speed). */
  readonly speed?: number;
}

export async function serveRecording(
  file: string,
  options: RecordingDashboardOptions = {},
): Promise<DashboardServer> {
  const { speed, ...rest } = options ?? {};
  const o = resolveDashboardOptions(rest, 'serveRecording(options)');
  const events$ = replay(file, { speed: speed ?? Number.POSITIVE_INFINITY });
  const feed = new ReplayFeed(events$, basename(file), { maxActors: o.maxActors });
  return listen(o, { feed }, `replay of ${file}`);
}
