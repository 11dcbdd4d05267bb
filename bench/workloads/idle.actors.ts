/** An actor that does nothing: what an idle actor costs in memory. */
import { defineActor } from '@troupe/runtime';

export const Idle = defineActor('bench.idle', {
  init: () => 0,
  receive: (n: number) => n + 1,
});
