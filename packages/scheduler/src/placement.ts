/**
 * Spawn placement over the board: `'local'`, `'spread'` (least loaded),
 * `{ group }`, `{ executor }`. Executors are named by node (1..n), the same
 * ids `metrics().executors[i].id` reports.
 *
 * `'spread'` picks the executor with the shortest run queue; among equals the
 * one chosen least recently, because rows are published on a tick: a burst
 * of spawns between two ticks would otherwise all land on the same executor.
 */
import { type Board, SLOT } from './board.ts';

export type PlacementSpec = 'local' | 'spread' | { readonly group: number } | { readonly executor: number };

export interface PlacementProblem {
  readonly path: string;
  readonly expected: string;
  readonly got: unknown;
}

export class Placer {
  private tick = 0;
  /** When each node was last chosen: ties go to the least recently chosen. */
  private readonly chosen = new Map<number, number>();
  constructor(private readonly board: Board) {}

  /**
   * The node to place on, or a problem naming the field. `self` is the
   * spawner's node (0 on the main thread, where `'local'` means `'spread'`).
   */
  choose(p: unknown, self: number, path: string): number | PlacementProblem {
    const all = this.board.executors();
    if (all.length === 0) return self;
    if (p === undefined || p === 'local') return self === 0 ? this.spread(all) : self;
    if (p === 'spread') return this.spread(all);
    if (p !== null && typeof p === 'object') {
      const o = p as { group?: unknown; executor?: unknown };
      if (o.executor !== undefined) {
        if (!(typeof o.executor === 'number' && all.includes(o.executor)))
          return {
            path: `${path}.executor`,
            expected: `one of the executors ${all.join(', ')}`,
            got: o.executor,
          };
        return o.executor;
      }
      if (o.group !== undefined) {
        const inGroup = all.filter((n) => this.board.get(n, SLOT.group) === o.group);
        if (inGroup.length === 0)
          return { path: `${path}.group`, expected: 'a group that has executors', got: o.group };
        return this.spread(inGroup);
      }
    }
    return { path, expected: "'local' | 'spread' | { group } | { executor }", got: p };
  }

  private spread(nodes: number[]): number {
    const b = this.board;
    let best = nodes[0]!;
    for (const n of nodes) {
      const d = b.get(n, SLOT.queueDepth) - b.get(best, SLOT.queueDepth);
      if (d < 0 || (d === 0 && (this.chosen.get(n) ?? -1) < (this.chosen.get(best) ?? -1))) best = n;
    }
    this.chosen.set(best, this.tick++);
    return best;
  }
}
