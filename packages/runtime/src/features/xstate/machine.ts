/**
 * `fromMachine`: an xstate v5 machine as a Troupe behavior.
 *
 * Events go to a live xstate actor kept per Troupe actor; the Troupe state is
 * the machine's snapshot, and the persisted snapshot is what migrates
 * (`toValue` / `fromValue`). An ask resolves with the snapshot after the
 * event, unless the machine replies itself by emitting
 * `{ type: 'reply', value }` (xstate's `emit` action).
 *
 * Errors inside the machine (a throwing action or guard) put the xstate actor
 * in status `error`; they are rethrown here so supervision sees them like any
 * handler failure.
 *
 * Delayed events are the actor's own timers (machine-timers.ts): they run on
 * the system's clock, arrive as messages in a turn, and move with the actor.
 */
import {
  type Actor,
  type AnyStateMachine,
  createActor,
  type EventFromLogic,
  type InputFrom,
  type SnapshotFrom,
} from 'xstate';
import type { ActorContext } from '../../kernel/context.ts';
import type { Behavior } from '../../kernel/definition.ts';
import { installScheduler, isMachineTimer, resolvePath } from './machine-timers.ts';

interface Live {
  actor: Actor<AnyStateMachine>;
  reply: { value: unknown; set: boolean };
}

export type MachineState<T extends AnyStateMachine> = SnapshotFrom<T>;

export function fromMachine<T extends AnyStateMachine>(
  machine: T,
): Behavior<SnapshotFrom<T>, EventFromLogic<T>, InputFrom<T>> {
  // Snapshot object → its live actor. Each transition makes a new snapshot object.
  const live = new WeakMap<object, Live>();
  // The context of the turn (or init) a live machine of this definition runs in: delayed events become
  // its actor's timers (machine-timers.ts). Handlers never nest on a thread, so one slot serves all.
  let running: ActorContext | null = null;
  const within = <R>(ctx: ActorContext | null, fn: () => R): R => {
    const outer = running;
    running = ctx;
    try {
      return fn();
    } finally {
      running = outer;
    }
  };

  const boot = (options: { input?: unknown; snapshot?: unknown }): SnapshotFrom<T> => {
    const actor = createActor(machine, options as never) as Actor<AnyStateMachine>;
    installScheduler(actor, () => running);
    const entry: Live = { actor, reply: { value: undefined, set: false } };
    actor.subscribe({ error: () => {} }); // errors surface through the snapshot status below
    actor.on('reply' as never, (e: { value?: unknown }) => {
      entry.reply.value = e.value;
      entry.reply.set = true;
    });
    actor.start();
    const snap = actor.getSnapshot() as SnapshotFrom<T>;
    throwIfError(snap);
    live.set(snap as object, entry);
    return snap;
  };

  const liveFor = (state: SnapshotFrom<T>): Live => {
    // A snapshot with no live actor (restored by hand, or after a restart) is booted from.
    return live.get(state as object) ?? (live.get(boot({ snapshot: state }) as object) as Live);
  };

  return {
    // init's context is the actor's full one (host.spawnLocal, cell.restart): its timers start there.
    init: (props, ctx) => within(ctx as ActorContext, () => boot({ input: props })),
    receive(state, event, ctx: ActorContext<EventFromLogic<T>>) {
      return within(ctx as ActorContext, () => {
        const l = liveFor(state);
        l.reply.set = false;
        // A delayed event of the machine (machine-timers.ts): to the actor it was meant for, as of now.
        if (isMachineTimer(event)) resolvePath(l.actor, event.to)?.send(event.event);
        else l.actor.send(event);
        const next = l.actor.getSnapshot() as SnapshotFrom<T>;
        throwIfError(next);
        if (next !== state) {
          live.delete(state as object);
          live.set(next as object, l);
        }
        // xstate events declare no reply type: the machine's `reply` event carries any value.
        const c = ctx as ActorContext;
        if (l.reply.set) c.reply(l.reply.value);
        // The persisted snapshot, not the live one: the asker may be on another thread, and the
        // live snapshot carries the machine and methods that cannot cross (location transparency).
        else if (ctx.isAsk) c.reply(l.actor.getPersistedSnapshot());
        return next;
      });
    },
    onStop(state, ctx) {
      within(ctx as ActorContext, () => live.get(state as object)?.actor.stop());
    },
    toValue: (state) => liveFor(state).actor.getPersistedSnapshot(),
    fromValue: (value) => boot({ snapshot: value }),
  };
}

function throwIfError(snap: unknown): void {
  const s = snap as { status?: string; error?: unknown };
  if (s.status === 'error') throw s.error;
}
