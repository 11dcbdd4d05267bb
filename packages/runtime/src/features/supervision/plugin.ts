/**
 * Supervision as a plugin: OTP's supervisor is a library over link, monitor
 * and exit; here it is a library over the kernel's system messages (`failed`,
 * `directive`, the child exit hook) and a few feature messages of its own.
 *
 * Failure protocol:
 * 1. A child whose parent supervises (a supervisor actor, or any actor
 *    defined with `supervision`) suspends itself where it failed (receive,
 *    onStart, or init during a restart) and sends `failed` to the parent —
 *    here, or across executors to a parent linked by ref (executors/links.ts).
 *    Its failing message is already dead-lettered `failed`, unless a retry
 *    took it back.
 * 2. The parent decides in its own turn (supervisor.ts, or policy.ts for a
 *    plain parent) and answers with a `directive` (resume, suspend, restart)
 *    or a stop; a stop that overruns the child's shutdownMs becomes a kill.
 * 3. A child restarted in place by a directive tells a supervisor parent
 *    (`supervision.restarted`): a supervisor restarts children one by one,
 *    in start order.
 * 4. A top-level supervisor that fails reports to its root guardian (tree.ts).
 * 5. Every other actor's failure goes on down the chain (the core default:
 *    restart on a receive failure, stop on an onStart or init failure).
 * 6. A supervisor learns that a child terminated (here or from afar) in its
 *    own turn (`supervision.exited`), with the reason; and it stops its
 *    children with a protocol of its own (`childStop`: reverse start order,
 *    each within its shutdownMs).
 */
import { setShutdownMs } from '../../kernel/budget.ts';
import type { ActorCell } from '../../kernel/cell.ts';
import { ALIVE } from '../../kernel/cell.ts';
import { defineSlot } from '../../kernel/ext.ts';
import { farParent } from '../../kernel/far-links.ts';
import type { HostPlugin } from '../../kernel/host.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import { extMsg, type FailurePhase, failedMsg } from '../../kernel/sysmsg.ts';
import { SupervisorActor } from './behavior.ts';
import { DUE, EXITED, FAIL, RESTARTED, TREE_STARTED } from './messages.ts';
import { attach } from './moving.ts';
import { forgetChild, superviseChild } from './policy.ts';
import { supervisorOf } from './supervisor.ts';

/**
 * The parent linked by ref supervises this child (executors/links.ts): its failures go there as
 * data. It moves with the child.
 */
const FAR_SUPERVISED = defineSlot<true>('supervision.far', {
  encode: () => true,
  decode: (d) => (d === true ? true : undefined),
});

/**
 * A supervising parent linked by ref stops `cell` in its own order (a supervisor: one by one, reverse
 * start order): shutdown leaves it to that parent rather than stopping it as a top-most actor.
 */
export function stoppedByFarParent(cell: ActorCell): boolean {
  return cell.parent === null && FAR_SUPERVISED.get(cell) === true && farParent(cell) !== null;
}

/** Whether `cell` supervises the children it spawns (a supervisor, or `defineActor(..., { supervision })`). */
export function supervisesChildren(cell: ActorCell): boolean {
  return supervisorOf(cell) !== undefined || cell.def.supervision !== undefined;
}

/** Links protocol: `child`'s parent is now linked by ref and supervises it (executors/links.ts step 1). */
export function markFarSupervised(child: ActorCell): void {
  FAR_SUPERVISED.set(child, true);
}

/** Steps 1 and 4. */
function routeFailure(cell: ActorCell, error: unknown, phase: FailurePhase): boolean {
  const parent = cell.parent;
  if (parent !== null && supervisesChildren(parent)) {
    cell.suspend();
    cell.host.sendSystem(parent.ref, failedMsg(cell.ref, error, phase));
    return true;
  }
  // A supervising parent on another executor (linked by ref): the failure goes as data.
  const far = parent === null && FAR_SUPERVISED.get(cell) === true ? farParent(cell) : null;
  if (far !== null && cell.host.transport !== null) {
    cell.suspend();
    cell.host.sendSystem(far, failedMsg(cell.ref, error, phase));
    return true;
  }
  const root = parent === null ? supervisorOf(cell)?.root : undefined;
  if (root !== undefined) {
    cell.suspend();
    root.failed(cell.ref, error);
    return true;
  }
  return false;
}

/** Step 2, in the parent's turn. */
function childFailed(parent: ActorCell, child: ActorRef, error: unknown, phase: FailurePhase): void {
  const sup = supervisorOf(parent);
  if (sup !== undefined) sup.childFailed(child, error, phase);
  else if (parent.def.supervision !== undefined) superviseChild(parent, child, error, phase);
}

/** Step 3, child side: only a supervisor waits for it (a parent elsewhere may be one: it decides). */
function restarted(cell: ActorCell): void {
  const parent = cell.parent;
  if (parent !== null) {
    if (supervisorOf(parent) !== undefined) cell.host.sendSystem(parent.ref, extMsg(RESTARTED, cell.ref));
    return;
  }
  const far = farParent(cell);
  if (far !== null) cell.host.sendSystem(far, extMsg(RESTARTED, cell.ref));
}

/** Step 6. */
function childExit(parent: ActorCell, child: ActorRef, reason: string): void {
  if (supervisorOf(parent) !== undefined) parent.host.sendSystem(parent.ref, extMsg(EXITED, [child, reason]));
  else if (parent.def.supervision !== undefined) forgetChild(parent, child);
}

export const supervisionPlugin: HostPlugin = {
  name: 'supervision',
  install(api) {
    // Every executor knows the supervisor's definition: one may arrive from another executor
    // (node 0, the main thread or an in-thread system, never receives a moving actor).
    if (api.host.node !== 0) api.host.register(SupervisorActor, 'supervision');
    // Before an executor's placement moves the new child (plugin order): its budget travels with it.
    api.onSpawn((cell) => {
      const p = cell.parent;
      const ms = p === null ? undefined : supervisorOf(p)?.launching;
      if (ms !== undefined) setShutdownMs(cell, ms);
    });
    // A supervisor that arrived from another executor gets its cell here (moving.ts step 4).
    api.onAdopt((cell) => {
      const sup = supervisorOf(cell);
      if (sup !== undefined) attach(sup, cell);
    });
    api.onFailure(routeFailure);
    api.onChildFailed(childFailed);
    api.onDirected((cell, _d, ok) => {
      if (ok) restarted(cell);
    });
    api.onChildExit(childExit);
    api.childStop({
      owns: (cell) => supervisorOf(cell) !== undefined,
      stop: (cell) => supervisorOf(cell)?.stopForOwnStop(cell.stopReason),
    });
    api.onExt(EXITED, {
      at: 'turn',
      apply(cell, p) {
        const [child, reason] = p as [ActorRef, string];
        supervisorOf(cell)?.childExited(child, reason);
      },
    });
    api.onExt(RESTARTED, {
      at: 'turn',
      apply: (cell, child) => supervisorOf(cell)?.childRestarted(child as ActorRef),
    });
    api.onExt(TREE_STARTED, {
      at: 'turn',
      apply: (cell, child) => supervisorOf(cell)?.childTreeStarted(child as ActorRef),
    });
    api.onExt(DUE, { at: 'turn', apply: (cell, seq) => supervisorOf(cell)?.due(seq as number) });
    api.onExt(FAIL, {
      at: 'turn',
      apply(cell, error) {
        if (cell.status === ALIVE) cell.failed(error, undefined, undefined, 'receive');
      },
    });
  },
};
