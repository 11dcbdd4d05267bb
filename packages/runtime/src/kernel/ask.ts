/**
 * The reply side of an ask. A message's meta slot holds either the sender's
 * ActorRef (a tell) or an AskHandle (an ask); `ctx.reply` settles the handle.
 * A handle for an asker on another thread or machine is another subclass
 * that sends the reply as a frame, so actors never know where the asker is.
 */
import type { Clock, TimerHandle } from './clock.ts';
import type { ActorRef } from './ref.ts';

/** Where a handle is filed while a reply may come back by frame (the host's exported asks). */
export interface AskLedger {
  /** The handle exported as `id` settled: nothing may keep it (or its error) alive any more. */
  forgetExported(id: number): void;
}

export abstract class AskHandle {
  /** Call chain this ask belongs to (reentrancy); 0 = none. Only asks carry one, so tells stay free. */
  chain = 0;
  /** Id the asker's host exported this handle under (reply by frame); 0 while not exported. */
  exportId = 0;
  /** The ledger holding it under `exportId`; settling takes it out, so a settled ask leaves nothing. */
  ledger: AskLedger | null = null;
  constructor(
    /** The asking actor, when an actor asked (undefined for asks from outside). */
    readonly sender: ActorRef | undefined,
  ) {}
  abstract get settled(): boolean;
  abstract resolve(value: unknown): void;
  abstract reject(error: unknown): void;
}

export class PendingAsk extends AskHandle {
  private done = false;
  timer: TimerHandle | undefined;

  constructor(
    private readonly onResolve: (v: any) => void,
    private readonly onReject: (e: unknown) => void,
    sender: ActorRef | undefined,
    private readonly clock: Clock,
    /** Called once when the ask settles either way (wait-for graph bookkeeping). */
    readonly onSettle?: () => void,
  ) {
    super(sender);
  }

  get settled(): boolean {
    return this.done;
  }

  resolve(value: unknown): void {
    if (this.done) return;
    this.finish();
    this.onResolve(value);
  }

  reject(error: unknown): void {
    if (this.done) return;
    this.finish();
    this.onReject(error);
  }

  private finish(): void {
    this.done = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    if (this.ledger !== null) {
      this.ledger.forgetExported(this.exportId);
      this.ledger = null;
    }
    this.onSettle?.();
  }
}
