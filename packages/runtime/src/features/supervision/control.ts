/**
 * Dynamic children — OTP's `start_child` family — as messages to the
 * supervisor actor, so they work wherever the supervisor runs. Each is an ask
 * handled in the supervisor's own turn; `terminateChild` answers only once
 * the child has exited.
 *
 * | OTP                         | here                        |
 * |-----------------------------|-----------------------------|
 * | start_child(Sup, Spec)      | handle.startChild(spec)     |
 * | terminate_child(Sup, Id)    | handle.terminateChild(id)   |
 * | restart_child(Sup, Id)      | handle.restartChild(id)     |
 * | delete_child(Sup, Id)       | handle.deleteChild(id)      |
 * | which_children(Sup)         | handle.children()           |
 */
import type { ActorContext } from '../../kernel/context.ts';
import { ConfigError } from '../../kernel/errors.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import type { ChildRecord } from './records.ts';
import { type ChildSpecInput, checkActors, type RestartType, resolveActor, resolveChild } from './spec.ts';
import type { Supervisor } from './supervisor.ts';

export type ControlMessage =
  | { readonly type: 'troupe.supervisor.start-child'; readonly spec: ChildSpecInput }
  | { readonly type: 'troupe.supervisor.terminate-child'; readonly id: string }
  | { readonly type: 'troupe.supervisor.restart-child'; readonly id: string }
  | { readonly type: 'troupe.supervisor.delete-child'; readonly id: string }
  | { readonly type: 'troupe.supervisor.which-children' };

/** One row of `children()` (OTP which_children). */
export interface ChildStatus {
  readonly id: string;
  readonly kind: 'worker' | 'supervisor';
  readonly restart: RestartType;
  /** Current (or last) incarnation; undefined when it never started. */
  readonly ref: ActorRef | undefined;
  /** `ref` has not terminated (running, suspended, or restarting in place). */
  readonly alive: boolean;
  /** running; suspended (awaiting a directive or a restart); restarting; stopping; stopped. */
  readonly status: 'running' | 'suspended' | 'restarting' | 'stopping' | 'stopped';
  readonly restarts: number;
}

export function statusOf(r: ChildRecord): ChildStatus {
  const status = r.stopping
    ? 'stopping'
    : r.pending !== 'none'
      ? 'restarting'
      : !r.alive
        ? 'stopped'
        : r.suspended
          ? 'suspended'
          : 'running';
  return {
    id: r.spec.id,
    kind: r.spec.kind,
    restart: r.spec.restart,
    ref: r.ref,
    alive: r.alive,
    status,
    restarts: r.restarts,
  };
}

export function handleControl(sup: Supervisor, msg: unknown, ctx: ActorContext): void {
  const m = msg as ControlMessage;
  switch (m?.type) {
    case 'troupe.supervisor.which-children':
      ctx.reply(sup.records.map(statusOf));
      return;
    case 'troupe.supervisor.start-child':
      startChild(sup, m.spec, ctx);
      return;
    case 'troupe.supervisor.terminate-child': {
      const rec = find(sup, m.id, 'terminateChild(id)', ctx);
      if (rec === undefined) return;
      rec.pending = 'none';
      const temporary = rec.spec.restart === 'temporary';
      if (!rec.alive) {
        if (temporary) sup.remove(rec);
        ctx.reply(undefined);
        return;
      }
      const h = sup.cell.pendingAsk;
      rec.exitWaiters.push(() => h?.resolve(undefined));
      sup.stopChild(rec, 'stopped', temporary ? 'delete' : 'keep');
      return;
    }
    case 'troupe.supervisor.restart-child': {
      const rec = find(sup, m.id, 'restartChild(id)', ctx);
      if (rec === undefined) return;
      if (rec.alive || rec.pending !== 'none') {
        ctx.fail(new ConfigError('restartChild(id)', 'the id of a child that is not running', m.id));
        return;
      }
      const err = sup.launch(rec);
      if (err === undefined) ctx.reply(rec.ref);
      else ctx.fail(err);
      return;
    }
    case 'troupe.supervisor.delete-child': {
      const rec = find(sup, m.id, 'deleteChild(id)', ctx);
      if (rec === undefined) return;
      if (rec.alive || rec.pending !== 'none') {
        ctx.fail(new ConfigError('deleteChild(id)', 'the id of a child that is not running', m.id));
        return;
      }
      sup.remove(rec);
      ctx.reply(undefined);
      return;
    }
    default:
      ctx.fail(
        new ConfigError('supervisor message', 'a supervisor control message (use the SupervisorHandle)', msg),
      );
  }
}

function startChild(sup: Supervisor, input: ChildSpecInput, ctx: ActorContext): void {
  let rec: ChildRecord;
  try {
    const spec = resolveChild(input, 'startChild(spec)');
    if (spec.kind === 'worker') resolveActor(spec, sup.cell.host.definitions, 'startChild(spec)');
    else checkActors(spec.spec, sup.cell.host.definitions, 'startChild(spec).supervisor');
    if (sup.byId(spec.id) !== undefined)
      throw new ConfigError('startChild(spec).id', `an id not used by another child of "${sup.id}"`, spec.id);
    if (sup.mode !== 'running' && sup.mode !== 'starting')
      throw new ConfigError('startChild(spec)', `a running supervisor ("${sup.id}" is ${sup.mode})`, spec.id);
    rec = sup.add(spec);
  } catch (e) {
    ctx.fail(e);
    return;
  }
  const err = sup.launch(rec);
  if (err !== undefined) {
    sup.remove(rec); // OTP start_child: a child that fails to start is not kept
    ctx.fail(err);
    return;
  }
  ctx.reply(rec.ref);
}

function find(sup: Supervisor, id: string, path: string, ctx: ActorContext): ChildRecord | undefined {
  const rec = sup.byId(id);
  if (rec === undefined) ctx.fail(new ConfigError(path, `the id of a child of "${sup.id}"`, id));
  return rec;
}
