/**
 * The supervisor actor: a pinned actor whose state is a `Supervisor`
 * (supervisor.ts), whose user messages are the control protocol
 * (control.ts), and whose children stop in its own order (reverse start,
 * each within its shutdownMs) rather than all at once. Failures reach it
 * through the kernel hooks of plugin.ts.
 */
import type { ActorCell } from '../../kernel/cell.ts';
import { defineActor } from '../../kernel/definition.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import { type ControlMessage, handleControl } from './control.ts';
import type { SupervisorSpec } from './spec.ts';
import { Supervisor, type TreeParent } from './supervisor.ts';

export interface SupervisorProps {
  readonly spec: SupervisorSpec;
  /** Set for a top-level tree: the root guardian's side. */
  readonly root?: TreeParent | undefined;
}

export const SupervisorActor = defineActor<Supervisor, ControlMessage, SupervisorProps>(
  'troupe.supervisor',
  {
    init(props, ctx) {
      return new Supervisor(props.spec, ctx.self.cell as ActorCell, spawnSupervisor, props.root);
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
