/**
 * The requests an executor serves (F_REQ from the main thread, one REQ_*
 * code each, codes.ts in the scheduler): spawn, start a tree, the shutdown
 * phases' intake / drop / roots / kill, recovery's reports, the adaptive
 * pool's vacate. Each is answered with F_SETTLE; a failure rejects it.
 */
import {
  type Board,
  type ExecutorLoop,
  REQ_DROP,
  REQ_INTAKE,
  REQ_KILL,
  REQ_KILL_ACTOR,
  REQ_LOST,
  REQ_LOST_ACTORS,
  REQ_PUBLISH,
  REQ_QUARANTINE,
  REQ_ROOTS,
  REQ_SPAWN,
  REQ_START_TREE,
  REQ_UNVACATE,
  REQ_VACATE,
  SLOT,
} from '@troupe/scheduler';
import type { KillReports } from '../features/shutdown/kills.ts';
import { type KilledActor, ownsChildStop, shutdownMsOf } from '../features/shutdown/stop-node.ts';
import { stoppedByFarParent } from '../features/supervision/plugin.ts';
import { type ActorCell, ALIVE } from '../kernel/cell.ts';
import { ConfigError, EXECUTORS_KNOW, UnknownActorError } from '../kernel/errors.ts';
import type { Host } from '../kernel/host.ts';
import type { ThreadLink } from './link.ts';
import { applyLost, type LostInfo, quarantine, survivorReport } from './recovery.ts';
import type { RootEntry } from './shutdown-port.ts';
import { startTreeHere } from './tree-threaded.ts';

/** What serving needs of the executor. */
export interface RequestHost {
  readonly host: Host;
  readonly link: ThreadLink;
  readonly board: Board;
  /** The scheduler's side of the executor: publishes the board row, stops stealing to retire. */
  readonly loop: ExecutorLoop<ActorCell>;
  /** Definitions the restart circuit breaker quarantined (executor-plugin.ts refuses their spawns). */
  readonly refused: Set<string>;
  /** Who hears of each kill (features/shutdown/kills.ts): REQ_KILL reports what it killed. */
  readonly kills: KillReports;
}

/** Kills `cells` (children with them) and says what it killed and what became of each onStop. */
function killing(x: RequestHost, reason: string, cells: ActorCell[]): KilledActor[] {
  const killed: KilledActor[] = [];
  const unlisten = x.kills.listen((c, onStop) => killed.push({ actor: c.desc, onStop }));
  try {
    for (const c of cells) c.kill(reason);
  } finally {
    unlisten();
  }
  x.loop.publish();
  return killed;
}

/** Serves one F_REQ from `from` and answers it (F_SETTLE); a failure rejects the request. */
export async function serveRequest(
  x: RequestHost,
  from: number,
  askId: number,
  op: number,
  args: unknown[],
): Promise<void> {
  const { host, link, board } = x;
  const node = host.node;
  const reply = (to: number, id: number, ok: boolean, value: unknown) => link.settle(to, id, ok, value);
  const publish = x.loop.publish;
  try {
    switch (op) {
      case REQ_SPAWN: {
        const [defName, props, options] = args as [string, unknown, Record<string, unknown> | null];
        const def = host.definitions.get(defName);
        if (def === undefined)
          throw new UnknownActorError(
            defName,
            [...host.definitions.keys()].filter((n) => !n.startsWith('troupe.')),
            EXECUTORS_KNOW,
          );
        const ref = host.spawnLocal(def, props, (options ?? undefined) as never, null);
        reply(from, askId, true, ref);
        return;
      }
      case REQ_START_TREE:
        // A whole supervision tree lives here (executors/tree-threaded.ts).
        reply(from, askId, true, startTreeHere(host, link, args));
        return;
      case REQ_INTAKE:
        host.accepting = args[0] as boolean;
        reply(from, askId, true, null);
        return;
      case REQ_DROP: {
        for (const c of [...host.cells.values()])
          for (const [m, meta] of c.takeMailbox()) host.deadLetter(m, meta, 'shutdown', c);
        publish();
        reply(from, askId, true, null);
        return;
      }
      case REQ_ROOTS:
        reply(
          from,
          askId,
          true,
          // Top-most live actors here: roots, including children whose plain parent lives elsewhere
          // (linked by ref, links.ts: stopping them here tells that parent), in arrival order,
          // each with its own shutdownMs (null: a supervisor, which runs its own protocol). A child
          // supervised from elsewhere is left to its supervising parent: children first, in its order.
          [...host.cells.values()]
            .filter(
              (c) =>
                c.status === ALIVE &&
                (c.parent === null || c.parent.status !== ALIVE) &&
                !stoppedByFarParent(c),
            )
            .map((c): RootEntry => [c.ref, ownsChildStop(c) ? null : shutdownMsOf(c)]),
        );
        return;
      case REQ_KILL:
        // Every cell, not only roots: a child that migrated here away from its parent is no root
        // here, and its parent's stop does not reach it. onKilled collects children killed with parents.
        reply(from, askId, true, killing(x, args[0] as string, [...host.cells.values()]));
        return;
      case REQ_KILL_ACTOR: {
        // Shutdown phase 3: one actor overran its shutdownMs (gone or moved on: nothing to kill here).
        const c = host.cells.get(args[0] as number);
        reply(from, askId, true, killing(x, args[1] as string, c === undefined ? [] : [c]));
        return;
      }
      case REQ_LOST:
        reply(from, askId, true, survivorReport(link, host, args[0] as number, args[1] as string));
        return;
      case REQ_LOST_ACTORS:
        reply(from, askId, true, applyLost(link, host, args[0] as LostInfo).settled);
        return;
      case REQ_QUARANTINE:
        x.refused.add(args[0] as string);
        reply(from, askId, true, quarantine(host, args[0] as string));
        return;
      case REQ_PUBLISH:
        publish();
        reply(from, askId, true, null);
        return;
      case REQ_VACATE: {
        // Adaptive pool, before retirement: no more steals here, actors move to the others.
        publish();
        if (board.get(node, SLOT.directory) > 0) {
          reply(from, askId, true, { empty: false, actors: host.cells.size, directory: link.loc.size });
          return;
        }
        x.loop.retiring = true;
        const others = args[0] as number[];
        let i = 0;
        for (const c of [...host.cells.values()]) {
          if (others.length === 0) break;
          try {
            link.migrateOut(c, others[i++ % others.length]!, 'retire');
          } catch {
            // pinned, busy or not portable: it keeps this executor alive
          }
        }
        publish();
        // Retirement is safe once nothing lives here and no actor born here lives anywhere
        // (this node is their directory) and no migration handshake is open.
        const empty =
          host.cells.size === 0 && link.loc.size === 0 && link.forward.size === 0 && link.arrivals.size === 0;
        reply(from, askId, true, { empty, actors: host.cells.size, directory: link.loc.size });
        return;
      }
      case REQ_UNVACATE:
        x.loop.retiring = false;
        reply(from, askId, true, null);
        return;
      default:
        throw new ConfigError('request', 'a known operation', op);
    }
  } catch (e) {
    reply(from, askId, false, e);
  }
}
