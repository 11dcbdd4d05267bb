/**
 * The executor's actors as the scheduler's units: what the ExecutorLoop
 * (scheduler executor-loop.ts) asks of the runtime — which cells may move
 * and how one moves (the migration handshake, link.ts), the runtime's
 * counters on the board row, and the events its stealing and compaction
 * make. The loop decides when and how many; this says what an actor allows.
 */
import { type Board, type LoopHost, SLOT } from '@troupe/scheduler';
import { type ActorCell, ALIVE } from '../kernel/cell.ts';
import { messageType } from '../kernel/events.ts';
import type { Host } from '../kernel/host.ts';
import type { EventWindow } from './event-window.ts';
import type { ThreadLink } from './link.ts';
import { immovable } from './links.ts';

export function cellUnits(
  host: Host,
  link: ThreadLink,
  board: Board,
  events: EventWindow,
): LoopHost<ActorCell> {
  const node = host.node;
  return {
    units: () => host.cells.values(),
    // Arriving here (a steal granted, not yet fenced): work this executor has.
    arriving: () => link.arrivals.size,
    accepting: () => host.accepting,
    // Parent/child links travel as refs (links.ts); immovable names what cannot move now; an actor
    // that arrived and is not yet fenced moves again only after (link.ts migration step 5).
    movable: (c) =>
      c.status === ALIVE && !c.busy && !c.def.pinned && immovable(c) === undefined && !link.arriving(c),
    moveTo: (c, to, why) => link.migrateOut(c, to, why),
    completed: () => host.stats.processed,
    label: (c) => (c.mailbox.length > 0 ? messageType(c.mailbox.peek()) : '(system)'),
    publish: () => {
      const s = host.stats;
      board.set(node, SLOT.sent, s.sent);
      board.set(node, SLOT.moved, s.moved);
      board.set(node, SLOT.processed, s.processed);
      board.set(node, SLOT.dead, s.dead);
      // An arriving actor (snapshot here, not yet fenced) is this node's; one on the wire is counted by the snapshot slots.
      board.set(node, SLOT.actors, host.cells.size + link.arrivals.size);
      board.set(node, SLOT.snapshotsOut, link.snapshotsOut);
      board.set(node, SLOT.snapshotsIn, link.snapshotsIn);
      // Published twice per inbound batch: a count kept by the host, not a walk of every cell.
      board.set(node, SLOT.directory, link.loc.size + host.native);
      board.setReasons(node, s.byReason);
      events.publish();
    },
    // The actor stays, and the loop never offers it again.
    refused: (c, to, e) =>
      host.emit({ type: 'migration.refused', at: Date.now(), actor: c.desc, to, error: String(e) }),
    stole: (req, actors) =>
      host.emit({
        type: 'steal.succeeded',
        at: Date.now(),
        thief: node,
        victim: req.victim,
        cross: req.cross,
        rounds: req.rounds,
        actors,
      }),
    gathered: (to, actors, rule) =>
      host.emit({ type: 'compaction.gathered', at: Date.now(), from: node, to, actors, rule }),
  };
}
