/**
 * A machine's delayed events (`after`, `raise`/`sendTo` with a `delay`) as the
 * Troupe actor's own timers (timers.ts), so they move with it.
 *
 * xstate arms delayed events on its own scheduler, with closures over the live
 * xstate actor: a migration persisted the snapshot and left them behind, and a
 * machine waiting in `after: { 20: 'done' }` waited forever where it landed.
 * Here the live actor's scheduler is replaced before it starts:
 * 1. `schedule(source, target, event, delay, id)` becomes
 *    `ctx.schedule(delay, { type: MACHINE_TIMER, to, event }, { key })`, where
 *    `to` is the target's path of child ids from the root machine and the key
 *    names (source path, id) — data, carried in the actor's snapshot with the
 *    time it has left, on the actor's clock (a SimulatedClock drives it too).
 * 2. The timer is a message to the actor itself: `receive` sends `event` to the
 *    actor at `to` in the live machine of that moment, wherever it runs, in a
 *    turn (failures reach supervision as any handler's).
 * 3. `cancel(source, id)` cancels the key, wherever the timer has moved.
 * Fallback to xstate's own scheduler (not carried along): a delayed event
 * armed outside a turn or init (none is known to xstate's restore), or for an
 * actor outside the machine's tree. Known limit: a child that stops cancels
 * its own delayed events only on the thread that armed them; one carried
 * along fires into nothing unless a child with the same id took its place.
 */
import type { Actor, AnyActorRef, AnyStateMachine, EventObject } from 'xstate';
import type { ActorContext } from '../../kernel/context.ts';

export const MACHINE_TIMER = '@troupe/machine-timer';

export interface MachineTimer {
  readonly type: typeof MACHINE_TIMER;
  /** Child ids from the root machine to the target ([] for the root). */
  readonly to: readonly string[];
  readonly event: EventObject;
}

export function isMachineTimer(m: unknown): m is MachineTimer {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === MACHINE_TIMER;
}

/** Routes `actor`'s delayed events through `current()`, the context the machine runs in (null outside a turn). */
export function installScheduler(actor: Actor<AnyStateMachine>, current: () => ActorContext | null): void {
  const system = actor.system;
  const own = system.scheduler;
  system.scheduler = {
    schedule(source, target, event, delay, id) {
      const ctx = current();
      const from = pathOf(actor, source);
      const to = pathOf(actor, target);
      if (ctx === null || from === undefined || to === undefined)
        return own.schedule(source, target, event, delay, id);
      const timer: MachineTimer = { type: MACHINE_TIMER, to, event };
      // Without an id nothing can cancel it: no key.
      ctx.schedule(delay, timer, id === undefined ? undefined : { key: keyOf(from, id) });
    },
    cancel(source, id) {
      own.cancel(source, id);
      const ctx = current();
      const from = pathOf(actor, source);
      if (ctx !== null && from !== undefined) ctx.cancelSchedule(keyOf(from, id));
    },
    cancelAll(source) {
      // The root's go with the Troupe actor when it stops (cell.ts cancels every timer it owns).
      own.cancelAll(source);
    },
  };
}

/** The actor at `path` in `root`'s tree now, if any. */
export function resolvePath(root: AnyActorRef, path: readonly string[]): AnyActorRef | undefined {
  let at: AnyActorRef | undefined = root;
  for (const id of path) at = childrenOf(at)?.[id];
  return at;
}

const keyOf = (path: readonly string[], id: string): string => `xstate:${path.join('/')}:${id}`;

function childrenOf(ref: AnyActorRef | undefined): Record<string, AnyActorRef> | undefined {
  return (ref?.getSnapshot() as { children?: Record<string, AnyActorRef> } | undefined)?.children;
}

function pathOf(root: AnyActorRef, target: AnyActorRef): string[] | undefined {
  if (target === root) return [];
  const kids = childrenOf(root);
  if (kids === undefined) return undefined;
  for (const [id, child] of Object.entries(kids)) {
    if (child === target) return [id];
    const p = pathOf(child, target);
    if (p !== undefined) return [id, ...p];
  }
  return undefined;
}
