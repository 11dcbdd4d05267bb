/** Validation of the metrics options: a bad option is a ConfigError naming the field. */
import { ConfigError } from '@troupe/runtime';

const KEYS = ['perMessage', 'messageTypes'];

export function checkCollectorOptions(o: unknown, path: string, extra: readonly string[] = []): void {
  if (o === null || typeof o !== 'object') throw new ConfigError(path, 'an options object', o);
  const known = [...KEYS, ...extra];
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw new ConfigError(`${path}.${k}`, `one of ${known.join(', ')}`, k);
  const x = o as Record<string, unknown>;
  if (x.perMessage !== undefined && typeof x.perMessage !== 'boolean')
    throw new ConfigError(`${path}.perMessage`, 'a boolean', x.perMessage);
  const mt = x.messageTypes;
  if (mt !== undefined && mt !== false && x.perMessage !== true)
    throw new ConfigError(
      `${path}.messageTypes`,
      'perMessage: true beside it (types come from per-message events)',
      mt,
    );
  if (mt === undefined || typeof mt === 'boolean') return;
  if (mt === null || typeof mt !== 'object')
    throw new ConfigError(`${path}.messageTypes`, 'a boolean or { limit }', mt);
  for (const k of Object.keys(mt))
    if (k !== 'limit') throw new ConfigError(`${path}.messageTypes.${k}`, 'limit', k);
  const limit = (mt as { limit?: unknown }).limit;
  if (
    limit !== undefined &&
    !(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= 1000)
  )
    throw new ConfigError(`${path}.messageTypes.limit`, 'an integer in [1, 1000]', limit);
}
