/**
 * Deadlocks: the cycles the runtime found (`deadlock.detected`) with what the
 * strategy did (`deadlock.resolved`), and the wait-for graph of the moment with
 * its cycles marked (strongly connected components of more than one actor, or
 * an actor waiting on itself).
 */
import type { DeadlockCycle, WaitForGraphSnapshot } from '@troupe/runtime';
import type { DeadlockView, GraphView } from '../protocol.ts';
import { Ring } from '../ring.ts';

const KEPT = 50;
const MAX_NODES = 500;

interface Found {
  seq: number;
  at: number;
  strategy: string;
  closing: number;
  view: DeadlockView;
}

export class Deadlocks {
  private readonly found = new Ring<Found>(KEPT);
  total = 0;

  detected(at: number, strategy: unknown, cycle: DeadlockCycle | undefined): void {
    if (cycle === undefined || cycle === null || !Array.isArray(cycle.actors)) return;
    this.add(at, strategy, cycle, null);
  }

  resolved(at: number, strategy: unknown, cycle: DeadlockCycle | undefined, action: unknown): void {
    if (cycle === undefined || cycle === null || !Array.isArray(cycle.actors)) return;
    const act = actionOf(action);
    const f = this.found.toArray().find((x) => x.closing === cycle.closing && x.view.action === null);
    if (f !== undefined) {
      f.view = { ...f.view, action: act };
      return;
    }
    // Resolved without a detected event we saw (we subscribed in between): still a deadlock.
    this.add(at, strategy, cycle, act);
  }

  private add(at: number, strategy: unknown, cycle: DeadlockCycle, act: DeadlockView['action']): void {
    this.total++;
    const seq = this.found.seq;
    this.found.push({
      seq,
      at,
      strategy: String(strategy),
      closing: cycle.closing,
      view: viewOf(seq, at, String(strategy), cycle, act),
    });
  }

  recent(n = 10): DeadlockView[] {
    return this.found.last(n).map((f) => f.view);
  }
}

function actionOf(a: unknown): DeadlockView['action'] {
  if (a === null || typeof a !== 'object') return { type: 'none' };
  const o = a as { type?: unknown; ask?: unknown; actor?: unknown };
  return {
    type: String(o.type),
    ...(typeof o.ask === 'number' ? { ask: o.ask } : {}),
    ...(typeof o.actor === 'number' ? { actor: o.actor } : {}),
  };
}

function viewOf(
  seq: number,
  at: number,
  strategy: string,
  c: DeadlockCycle,
  action: DeadlockView['action'],
): DeadlockView {
  return {
    seq,
    at,
    strategy,
    actors: c.actors.slice(0, MAX_NODES).map((a) => ({ id: a.id, name: a.name, def: a.def })),
    asks: (Array.isArray(c.asks) ? c.asks : []).slice(0, MAX_NODES).map((k) => ({
      id: k.id,
      from: k.from?.id,
      to: k.to?.id,
      messageType: String(k.messageType),
      ageMs: Number(k.ageMs) || 0,
    })),
    action,
  };
}

/** The wait-for graph with its cycles marked (Tarjan's strongly connected components). */
export function graphView(g: WaitForGraphSnapshot | null | undefined): GraphView {
  if (g === null || g === undefined || !Array.isArray(g.nodes)) return { nodes: [], edges: [] };
  const nodes = g.nodes.slice(0, MAX_NODES);
  const ids = new Set(nodes.map((n) => n.id));
  const edges = (g.edges ?? []).filter((e) => ids.has(e.from) && ids.has(e.to)).slice(0, MAX_NODES * 4);
  const out = new Map<number, number[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const cyclic = cyclicNodes([...ids], out);
  const self = new Set(edges.filter((e) => e.from === e.to).map((e) => e.from));
  const inCycle = (id: number) => cyclic.has(id) || self.has(id);
  return {
    nodes: nodes.map((n) => ({
      id: n.id,
      name: n.name,
      def: n.def,
      waiting: n.waiting,
      inCycle: inCycle(n.id),
    })),
    edges: edges.map((e) => ({
      ask: e.ask,
      from: e.from,
      to: e.to,
      messageType: e.messageType,
      ageMs: e.ageMs,
      inCycle: inCycle(e.from) && inCycle(e.to) && sameComponent(cyclic, self, e.from, e.to),
    })),
  };
}

function sameComponent(cyclic: Map<number, number>, self: Set<number>, a: number, b: number): boolean {
  if (a === b) return self.has(a) || cyclic.has(a);
  return cyclic.get(a) !== undefined && cyclic.get(a) === cyclic.get(b);
}

/** Nodes in a strongly connected component of two or more, mapped to their component's number. */
function cyclicNodes(ids: number[], out: Map<number, number[]>): Map<number, number> {
  let index = 0;
  let comp = 0;
  const idx = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const result = new Map<number, number>();
  // Iterative: a long chain of waits must not overflow the call stack.
  for (const root of ids) {
    if (idx.has(root)) continue;
    const work: { v: number; i: number }[] = [{ v: root, i: 0 }];
    idx.set(root, index);
    low.set(root, index++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const next = out.get(top.v) ?? [];
      if (top.i < next.length) {
        const w = next[top.i++]!;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, idx.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === idx.get(top.v)) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          members.push(w);
        } while (w !== top.v);
        if (members.length > 1) {
          for (const m of members) result.set(m, comp);
          comp++;
        }
      }
    }
  }
  return result;
}
