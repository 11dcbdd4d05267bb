/**
 * Death watch (Pekko's `dungeon.DeathWatch`), and the cell's timers: the
 * concrete cell class, over its lifecycle (lifecycle.ts) and run loop
 * (cell.ts).
 *
 * Protocol: `watch` records the target and sends it `watch`; the target
 * records the watcher (or, already gone, answers `terminated` at once). When
 * the target stops it sends `terminated` to every watcher, which handles it
 * in its turn — unless it unwatched meanwhile (`unwatch` tells the target to
 * forget it too). Watchers and watched are kept by id: an actor that moves
 * gets a new ref object.
 */

import type { Cancellable } from './actor.ts';
import { AskHandle } from './ask.ts';
import { ALIVE, MIGRATED, STOPPED, type TurnContext } from './cell.ts';
import { Context } from './context.ts';
import { Lifecycle } from './lifecycle.ts';
import type { ActorRef } from './ref.ts';
import { unwatchMsg, watchMsg } from './sysmsg.ts';
import { Terminated } from './terminated.ts';
import { ActorTimers, type TimerKey } from './timers.ts';

export class Cell extends Lifecycle {
  protected newContext(): TurnContext {
    return new Context(this);
  }

  // ---- death watch ----------------------------------------------------------------

  watch(target: ActorRef): void {
    if (target === this.ref || this.status !== ALIVE) return;
    (this.watching ??= new Map()).set(target.id, target);
    this.host.sendSystem(target, watchMsg(this.ref));
  }

  unwatch(target: ActorRef): void {
    if (!this.watching?.delete(target.id)) return;
    this.host.sendSystem(target, unwatchMsg(this.ref));
  }

  addWatcher(watcher: ActorRef): boolean {
    if (this.status === STOPPED || this.status === MIGRATED) return false;
    (this.watchers ??= new Map()).set(watcher.id, watcher);
    return true;
  }

  protected onWatchedTerminated(ref: ActorRef, reason: string): void {
    if (this.status !== ALIVE) return;
    const mine = this.watching?.get(ref.id);
    if (mine === undefined) return; // unwatched meanwhile: Akka drops it too
    this.watching!.delete(ref.id);
    // The watcher sees the ref it watched (its own object), whichever object the message carried.
    const t = new Terminated(mine, reason);
    const beh = this.behavior;
    const ctx = this.context();
    ctx.begin(undefined);
    let r: unknown;
    try {
      r =
        beh.onTerminated !== undefined
          ? beh.onTerminated(this.state, t, ctx)
          : beh.receive(this.state, t, ctx);
    } catch (e) {
      this.failed(e, undefined, undefined, 'receive');
      return;
    }
    if (r instanceof Promise) {
      this.beginAsync();
      r.then(
        (s) => {
          this.endAsync();
          if (this.status === ALIVE) this.state = s;
          this.reschedule();
        },
        (e) => {
          this.endAsync();
          this.failed(e, undefined, undefined, 'receive');
          this.reschedule();
        },
      );
      return;
    }
    this.state = r;
  }

  // ---- timers and mailbox ------------------------------------------------------------

  /** `ctx.schedule`: `to` null is the actor itself, wherever it runs when the timer fires. */
  schedule(
    delayMs: number,
    msg: unknown,
    to: ActorRef | null,
    every: number,
    key: TimerKey | null,
  ): Cancellable {
    return (this.timers ??= new ActorTimers(this)).add(delayMs, msg, to, every, key);
  }

  /** Cancels every timer (the actor stops, or left this thread). */
  cancelTimers(): void {
    this.timers?.clear();
    this.timers = null;
  }

  /** Moves queued user messages out (migration, shutdown); the cell keeps running. */
  takeMailbox(): Array<[unknown, unknown]> {
    const out = this.mailbox.toArray();
    this.mailbox.clear();
    return out;
  }

  /** @internal for fromMachine and tests: whether the current message expects a reply. */
  get pendingAsk(): AskHandle | undefined {
    const m = this.ctxObj?.meta;
    return m instanceof AskHandle ? m : undefined;
  }
}
