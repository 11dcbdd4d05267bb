/**
 * The supervisor actor and the host hooks that route failures to it.
 *
 * Failure routing (installed once per host by `installSupervision`):
 * 1. A child whose parent is a supervisor suspends itself where it failed
 *    (receive, onStart, or init during a restart) and posts the failure to
 *    the parent as a system message; the parent's directive comes back the
 *    same way. Its failing message is already dead-lettered `failed` (or was
 *    re-queued by a retry policy before ever reaching here).
 * 2. A top-level supervisor that fails reports to its root guardian (tree.ts).
 * 3. Every other actor keeps the core's default policy (restart on a receive
 *    failure, stop on an onStart or init failure).
 * 4. A supervisor learns that a child terminated by a system message posted
 *    from the child's stop (the `onChildStopped` hook), with the reason.
 */
import type { ActorCell } from '../cell.ts';
import { defineActor } from '../definition.ts';
import type { Host } from '../host.ts';
import type { ActorRef } from '../ref.ts';
import { type ControlMessage, handleControl } from './control.ts';
import type { SupervisorSpec } from './spec.ts';
import { Supervisor, supervisorOf, type TreeParent } from './supervisor.ts';
import { sendSystem } from './transport.ts';

export interface SupervisorProps {
  readonly spec: SupervisorSpec;
  /** Set for a top-level tree: the root guardian's side. */
  readonly root?: TreeParent | undefined;
}

export const SupervisorActor = defineActor<Supervisor, ControlMessage, SupervisorProps>(
  'troupe.supervisor',
  {
    init(props, ctx) {
      const cell = ctx.self.cell as ActorCell;
      installSupervision(cell.host);
      cell.stopChildren = (c) => supervisorOf(c)?.stopForOwnStop(c.stopReason);
      return new Supervisor(props.spec, cell, spawnSupervisor, props.root);
    },
    onStart(s) {
      s.start();
      return s;
    },
    receive(s, msg, ctx) {
      handleControl(s, msg, ctx);
      return s;
    },
    onStop(s) {
      s.dispose();
    },
  },
  // Its state holds live timers and records: it never migrates.
  { pinned: true },
);

/** Spawns a supervisor actor under `parent` (a sub-tree). */
export function spawnSupervisor(parent: ActorCell, spec: SupervisorSpec, name: string | undefined): ActorRef {
  return parent.host.spawnLocal(SupervisorActor, { spec }, name === undefined ? undefined : { name }, parent);
}

const installed = new WeakSet<Host>();

export function installSupervision(host: Host): void {
  if (installed.has(host)) return;
  installed.add(host);
  const fallback = host.failurePolicy;
  host.failurePolicy = (cell, error, phase) => {
    const parent = cell.parent;
    if (parent !== null && parent.def === SupervisorActor) {
      cell.suspend();
      const ref = cell.ref;
      sendSystem(parent.ref, (p) => supervisorOf(p)?.childFailed(ref, error, phase));
      return;
    }
    const root = parent === null ? supervisorOf(cell)?.root : undefined;
    if (root !== undefined) {
      cell.suspend();
      root.failed(cell.ref, error);
      return;
    }
    fallback(cell, error, phase);
  };
  const previous = host.onChildStopped;
  host.onChildStopped = (parent, child) => {
    previous?.(parent, child);
    if (parent.def !== SupervisorActor) return;
    const ref = child.ref;
    const reason = child.stopReason;
    sendSystem(parent.ref, (p) => supervisorOf(p)?.childExited(ref, reason));
  };
}
