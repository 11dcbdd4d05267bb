/**
 * The checks every options object shares, so each reports a bad field the
 * same way: a ConfigError whose path names the field from the argument's
 * root (`options.mailbox.size`, `ask(options).timeout`).
 *
 * - Unknown keys are refused at every level, nested objects included: a
 *   misspelt key would otherwise leave its default silently in force
 *   (`mailbox: { size: 10 }` left the mailbox unbounded). The error names the
 *   closest valid key.
 * - Time options have a range, and the message says it: a delay past
 *   MAX_TIMER_MS overflows Node's timers (they then fire after 1 ms), and a
 *   few options have a floor below which the runtime cannot work (a hang
 *   timeout shorter than a scheduling hiccup declares healthy threads hung).
 */
import { ConfigError } from './errors.ts';

/** The longest delay Node's timers honour, ms (about 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Words users reach for instead of the option's name (checked only when the target is a valid key). */
const SYNONYMS: Readonly<Record<string, string>> = {
  size: 'capacity',
  maxsize: 'capacity',
  limit: 'capacity',
  max: 'capacity',
  bound: 'capacity',
  length: 'capacity',
  policy: 'overflow',
  onfull: 'overflow',
  onoverflow: 'overflow',
  timeout: 'timeoutMs',
  workers: 'executors',
  threads: 'executors',
};

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** Throws a ConfigError for the first key of `o` not in `allowed`, suggesting the closest valid one. */
export function checkKeys(o: object, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw unknownKey(o, k, allowed, path);
}

export function unknownKey(o: object, key: string, allowed: readonly string[], path: string): ConfigError {
  const where = path === '' ? 'the spec' : path;
  const suggestion = closest(key, allowed);
  return new ConfigError(
    join(path, key),
    `one of ${allowed.join(', ')}`,
    (o as Record<string, unknown>)[key],
    {
      suggestion,
      message:
        `${join(path, key)}: unknown option of ${where}` +
        (suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`) +
        ` (valid: ${allowed.join(', ')})`,
    },
  );
}

/**
 * The valid key `key` most likely meant: a known synonym, the same name in
 * another case or with a unit suffix (`timeout` → `timeoutMs`), or the one at
 * the smallest edit distance when that distance is at most half the word's
 * length. Undefined when nothing is close.
 */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const synonym = SYNONYMS[lower];
  if (synonym !== undefined && allowed.includes(synonym)) return synonym;
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const a of allowed) {
    const al = a.toLowerCase();
    // A unit suffix left off is not a typo of its own: `timout` is one edit from `timeout(Ms)`.
    const d =
      al === lower
        ? 0
        : al.startsWith(lower) || lower.startsWith(al)
          ? 1
          : Math.min(editDistance(lower, al), editDistance(lower, al.replace(/ms$/, '')));
    if (d < bestD) {
      best = a;
      bestD = d;
    }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 2)) ? best : undefined;
}

/** Levenshtein distance (insert, delete, substitute: 1 each), two rows. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** A closed or half-open interval of numbers; `integer` restricts it to integers. */
export interface Range {
  readonly min: number;
  readonly max: number;
  /** The minimum itself is excluded: `(min, max]`. */
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
}

/** `a number in (0, 60000]`, `an integer in [1, 1000]`. */
export function describeRange(r: Range): string {
  return `${r.integer ? 'an integer' : 'a number'} in ${r.minExclusive ? '(' : '['}${r.min}, ${r.max}]`;
}

export function inRange(v: unknown, r: Range): v is number {
  return (
    typeof v === 'number' &&
    (r.integer ? Number.isInteger(v) : !Number.isNaN(v)) &&
    (r.minExclusive ? v > r.min : v >= r.min) &&
    v <= r.max
  );
}

/** `v` when it lies in `r`, else a ConfigError at `path` whose message states the range. */
export function checkRange(v: unknown, path: string, r: Range, why?: string): number {
  if (inRange(v, r)) return v;
  throw new ConfigError(path, why === undefined ? describeRange(r) : `${describeRange(r)} (${why})`, v);
}

/** A plain object (not null, not an array), else a ConfigError describing the expected shape. */
export function checkObject(v: unknown, path: string, shape: string): asserts v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(path, shape, v);
}
