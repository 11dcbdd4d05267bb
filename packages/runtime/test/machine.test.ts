import { type AnyTroupeEvent, defineActor, fromMachine, isActorFailedError } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { assign, emit, setup } from 'xstate';
import { quiesce, rejection, simSystem } from './helpers.ts';

type DoorEvent = { type: 'open' } | { type: 'close' } | { type: 'knock' } | { type: 'break' };

const doorMachine = setup({
  types: {
    context: {} as { knocks: number; label: string },
    events: {} as DoorEvent,
    input: {} as { label: string },
  },
  actions: {
    explode: () => {
      throw new Error('door broke');
    },
  },
}).createMachine({
  id: 'door',
  initial: 'closed',
  context: ({ input }) => ({ knocks: 0, label: input.label }),
  states: {
    closed: {
      on: {
        open: 'open',
        knock: {
          actions: [
            assign({ knocks: ({ context }) => context.knocks + 1 }),
            emit(({ context }) => ({ type: 'reply', value: `who's there? (${context.knocks})` })),
          ],
        },
        break: { actions: 'explode' },
      },
    },
    open: { on: { close: 'closed' } },
  },
});

const Door = defineActor('machine.door', fromMachine(doorMachine));

describe('fromMachine', () => {
  it('takes events in and keeps the snapshot as state; ask resolves with the snapshot', async () => {
    const { system } = await simSystem();
    const door = system.spawnSync(Door, { label: 'front' });
    const snap = await door.ask<{ value: string; context: { label: string } }>({ type: 'open' });
    expect(snap.value).toBe('open');
    expect(snap.context.label).toBe('front');
    door.tell({ type: 'close' });
    const again = await door.ask<{ value: string }>({ type: 'open' });
    expect(again.value).toBe('open');
    expect(system.stats()).toMatchObject({ sent: 3, processed: 3, inFlight: 0 });
  });

  it('a machine that emits { type: "reply", value } answers the ask itself', async () => {
    const { system } = await simSystem();
    const door = system.spawnSync(Door, { label: 'x' });
    await expect(door.ask({ type: 'knock' })).resolves.toBe("who's there? (1)");
    door.tell({ type: 'knock' }); // a tell from outside: the emitted reply has no target
    await expect(door.ask({ type: 'knock' })).resolves.toBe("who's there? (3)");
    await quiesce(system);
    expect(system.stats().deadLettered.byReason).toEqual({ 'no-reply-target': 1 });
  });

  it('an error inside the machine fails the actor (actor.failed) and rejects the ask', async () => {
    const { system } = await simSystem();
    const events: AnyTroupeEvent[] = [];
    system.events$.subscribe((e) => events.push(e));
    const door = system.spawnSync(Door, { label: 'x' });
    const err = await rejection(door.ask({ type: 'break' }));
    expect(isActorFailedError(err)).toBe(true);
    expect((err.cause as Error).message).toBe('door broke');
    const failed = events.find((e) => e.type === 'actor.failed');
    expect(failed).toMatchObject({
      type: 'actor.failed',
      phase: 'receive',
      messageType: 'break',
      actor: door.toJSON(),
    });
    // Restarted by the default policy: back to the initial state, still answering.
    const snap = await door.ask<{ value: string; context: { knocks: number } }>({ type: 'open' });
    expect(snap.value).toBe('open');
  });

  it('migrates through its persisted snapshot', async () => {
    const a = await simSystem();
    const b = await simSystem({ actors: { Door } });
    const door = a.system.spawnSync(Door, { label: 'm' });
    await door.ask({ type: 'knock' });
    await door.ask({ type: 'open' });
    const moved = b.system.rehydrate(a.system.detach(door));
    const snap = await moved.ask<{ value: string; context: { knocks: number; label: string } }>({
      type: 'close',
    });
    expect(snap.value).toBe('closed');
    expect(snap.context).toEqual({ knocks: 1, label: 'm' });
    await expect(moved.ask({ type: 'knock' })).resolves.toBe("who's there? (2)");
  });
});
