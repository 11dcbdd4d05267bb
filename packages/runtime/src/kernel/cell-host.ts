/**
 * What a cell — its run loop, lifecycle, death watch, context and timers —
 * needs of the host it runs on. Host (host.ts) implements it; the cell names
 * only this interface, so the cell's files sit below the host in the import
 * graph (scripts/check-cycles.mjs) and the host is free to import them.
 * Generic in the cell type for the same reason: this file names no cell.
 */
import type { Runnable, RunQueue } from '@troupe/scheduler';
import type { ActorDefinition } from './actor.ts';
import type { AskHandle } from './ask.ts';
import type { Clock } from './clock.ts';
import type { AnyTroupeEvent, DeadLetterReason, EventBus } from './events.ts';
import type { KernelHooks } from './hooks.ts';
import type { Lifetime } from './lifetime.ts';
import type { ActorRef, AskOptions } from './ref.ts';
import type { SpawnOptions } from './spawn-options.ts';
import type { Stats } from './stats.ts';
import type { Ack, SysMsg } from './sysmsg.ts';
import type { Transport } from './transport.ts';

export interface CellHost<C extends Runnable> {
  /** The cell whose handler is running (synchronously) on this thread; the run loop sets it. */
  current: C | null;
  readonly node: number;
  readonly stats: Stats;
  readonly events: EventBus;
  readonly dispatcher: RunQueue<C>;
  readonly clock: Clock;
  /** The clock for timers that are pending work: they hold `lifetime` (lifetime.ts). */
  readonly timers: Clock;
  readonly lifetime: Lifetime;
  readonly transport: Transport | null;
  readonly movable: boolean;
  readonly accepting: boolean;
  readonly hooks: KernelHooks<C>;
  readonly cells: Map<number, C>;
  /** Top-level actors in spawn order (children of the root guardian). */
  readonly roots: Set<C>;
  readonly definitions: ReadonlyMap<string, ActorDefinition>;
  spawnLocal(
    def: ActorDefinition,
    props: unknown,
    options: SpawnOptions | undefined,
    spawner: C | null,
  ): ActorRef;
  unregister(cell: C): void;
  route(ref: ActorRef, msg: unknown, meta: unknown): void;
  ask(
    ref: ActorRef,
    msg: unknown,
    options: AskOptions | undefined,
    sender: ActorRef | undefined,
  ): Promise<unknown>;
  exportAsk(handle: AskHandle): number;
  settleExported(askId: number, ok: boolean, value: unknown): void;
  deadLetter(
    msg: unknown,
    meta: unknown,
    reason: DeadLetterReason,
    recipient?: C | ActorRef,
    error?: unknown,
  ): void;
  noReplyTarget(cell: C, value: unknown): void;
  sendSystem(ref: ActorRef, m: SysMsg, ack?: Ack): void;
  stopRef(ref: ActorRef, reason: string): void;
  typeOf(msg: unknown): string;
  emit(e: AnyTroupeEvent): void;
  emitSent(cell: C, msg: unknown, meta: unknown): void;
  emitReceived(cell: C, msg: unknown): number;
  emitProcessed(cell: C, msg: unknown, t0: number): void;
}
