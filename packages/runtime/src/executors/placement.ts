/** Placement on the runtime side: the scheduler's Placer with problems as ConfigErrors. */
import type { Placer } from '@troupe/scheduler';
import { ConfigError } from '../kernel/errors.ts';

export function placeOrThrow(placer: Placer, placement: unknown, self: number, path: string): number {
  const r = placer.choose(placement, self, path);
  if (typeof r === 'number') return r;
  throw new ConfigError(r.path, r.expected, r.got);
}
