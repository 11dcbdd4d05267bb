/**
 * Restart strategies (OTP names): which children a failure takes with it.
 *
 * - `one-for-one`: only the failed child.
 * - `one-for-all`: every child.
 * - `rest-for-one`: the failed child and every child started after it.
 *
 * The result is in start order: affected children are stopped (or suspended)
 * in reverse of it and restarted in it.
 */
export type Strategy = 'one-for-one' | 'one-for-all' | 'rest-for-one';

export const STRATEGIES: readonly Strategy[] = ['one-for-one', 'one-for-all', 'rest-for-one'];

export function affectedChildren<T>(strategy: Strategy, children: readonly T[], failed: T): T[] {
  switch (strategy) {
    case 'one-for-one':
      return [failed];
    case 'one-for-all':
      return [...children];
    case 'rest-for-one': {
      const i = children.indexOf(failed);
      return i < 0 ? [failed] : children.slice(i);
    }
  }
}
