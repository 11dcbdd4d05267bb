/**
 * The supervisor actor: an actor whose state is a `Supervisor`
 * (supervisor.ts), whose user messages are the control protocol
 * (control.ts), and whose children stop in its own order (reverse start,
 * each within its shutdownMs) rather than all at once. Failures reach it
 * through the kernel hooks of plugin.ts. It moves between executors as
 * data when at rest (moving.ts).
 */
import type { ActorCell } from '../../kernel/cell.ts';
import { defineActor } from '../../kernel/definition.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import { type ControlMessage, handleControl } from './control.ts';
import { supervisorFromValue, supervisorProps, supervisorToValue } from './moving.ts';
import { type SupervisorSpec, type SupervisorSpecInput, supervisor } from './spec.ts';
import { Supervisor, type TreeParent } from './supervisor.ts';

export interface SupervisorProps {
  /** Resolved, or as data where the supervisor may move (moving.ts). */
  readonly spec: SupervisorSpec | SupervisorSpecInput;
  /** Set for a top-level tree: the root guardian's side. */
  readonly root?: TreeParent | undefined;
}

export const SupervisorActor = defineActor<Supervisor, ControlMessage, SupervisorProps>('troupe.supervisor', {
  init(props, ctx) {
    return new Supervisor(supervisor(props.spec), ctx.self.cell as ActorCell, spawnSupervisor, props.root);
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
  toValue: supervisorToValue,
  fromValue: (value, props) =>
    supervisorFromValue(value, props.spec, (spec) => new Supervisor(spec, null, spawnSupervisor, undefined)),
});

/** Spawns a supervisor actor under `parent` (a sub-tree). */
export function spawnSupervisor(parent: ActorCell, spec: SupervisorSpec, name: string | undefined): ActorRef {
  const props = { spec: supervisorProps(spec, parent.host.movable) };
  return parent.host.spawnLocal(SupervisorActor, props, name === undefined ? undefined : { name }, parent);
}
