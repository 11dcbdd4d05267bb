import type { ActorRef } from './ref.ts';

/** Delivered to watchers when a watched actor stops (death watch). */
export class Terminated {
  readonly type = 'troupe.terminated' as const;
  constructor(
    readonly ref: ActorRef,
    /** Why it stopped: 'stopped', 'failed', 'parent-stopped', 'shutdown', … */
    readonly reason: string,
  ) {}
}

export const isTerminated = (msg: unknown): msg is Terminated => msg instanceof Terminated;
