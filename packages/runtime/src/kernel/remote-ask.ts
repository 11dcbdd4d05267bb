import { AskHandle } from './ask.ts';
import type { ActorRef } from './ref.ts';
import type { Transport } from './transport.ts';

/** What settling needs of the host the reply is made on (host.ts implements it). */
export interface ReplyHost {
  readonly node: number;
  readonly transport: Transport | null;
  settleExported(askId: number, ok: boolean, value: unknown): void;
}

/**
 * The reply side of an ask whose asker lives on another host: settling it
 * sends the answer back as a frame (or settles locally when the actor has
 * migrated back to the asker's host).
 */
export class RemoteAsk extends AskHandle {
  private done = false;

  constructor(
    readonly node: number,
    readonly askId: number,
    sender: ActorRef | undefined,
    private readonly host: ReplyHost,
  ) {
    super(sender);
  }

  get settled(): boolean {
    return this.done;
  }

  resolve(value: unknown): void {
    this.settle(true, value);
  }

  reject(error: unknown): void {
    this.settle(false, error);
  }

  private settle(ok: boolean, value: unknown): void {
    if (this.done) return;
    this.done = true;
    if (this.node === this.host.node) this.host.settleExported(this.askId, ok, value);
    else this.host.transport?.settle(this.node, this.askId, ok, value);
  }
}
