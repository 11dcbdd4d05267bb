/**
 * Main-thread side of cross-executor deadlock detection (protocol in
 * detector.ts, steps 2–4): one wait-for graph over every executor's
 * forwarded edges, a confirmation round before acting, and the action sent
 * to the host that owns the failing ask.
 *
 * Invariants:
 * 1. Per executor, events apply in the order sent (one FIFO channel), so an
 *    edge's `remove` never precedes its `add`.
 * 2. A cycle whose edges all come from one executor is left to that
 *    executor's own in-thread detector (it already resolved it, synchronously).
 * 3. No action without confirmation: every executor holding an edge of the
 *    cycle confirms all of them still live. Edges are never re-added once
 *    removed (ask ids are unique) and each was added before the
 *    confirmations were sent, so all were live at that moment together —
 *    the cycle was real, not assembled from stale edges of different times.
 * 4. An edge is part of at most one probe at a time; a failed probe searches
 *    again from its surviving edges, so a real cycle that overlapped a
 *    phantom one is still found.
 */
import { OP_ACTOR, OP_ADD, OP_REMOVE, OP_RESET, OP_STRING, wallNow } from '@troupe/scheduler';
import type { DeadlockCycleEntry } from '../../kernel/errors.ts';
import type { ActorDescription } from '../../kernel/events.ts';
import type { Host } from '../../kernel/host.ts';
import { DeadlockDetector } from './detector.ts';
import { ADD_TOKENS } from './forwarder.ts';
import { type DeadlockAction, type DeadlockCycle, decide } from './strategies.ts';
import type { WaitEdge, WaitForGraphSnapshot } from './wait-for-graph.ts';

interface GlobalEdge extends WaitEdge {
  /** Executor that holds the asker (and the ask). */
  readonly node: number;
  /** Wall time the edge went live, ms with sub-ms precision (comparable across threads). */
  readonly at: number;
  /** The asker's strategy (its definition's, else the system's). */
  readonly strategy: string;
  readonly priority: number;
}

interface Probe {
  readonly cycle: GlobalEdge[];
  waiting: number;
  ok: boolean;
}

export interface GlobalDetectorPort {
  confirm(node: number, probe: number, edgeIds: number[]): void;
  act(
    node: number,
    action: DeadlockAction,
    edgeId: number,
    cycle: DeadlockCycleEntry[],
    strategy: string,
  ): void;
}

const desc = (id: number, name: string | null, def: string): ActorDescription =>
  name === null ? { id, def } : { id, name, def };

export class GlobalDeadlockDetector {
  private readonly detector = new DeadlockDetector<GlobalEdge>((c) => this.found(c));
  private readonly edges = new Map<number, GlobalEdge>();
  private readonly probes = new Map<number, Probe>();
  /** Edges in a probe or an applied resolution (invariant 4), until removed. */
  private readonly claimed = new Set<number>();
  private probeSeq = 0;
  /** Counters for tests and the bench. */
  readonly counts = { probes: 0, phantoms: 0, resolved: 0 };

  constructor(
    private readonly host: Host,
    private readonly port: GlobalDetectorPort,
  ) {}

  /** Per executor: the actor descriptions and strings its records name (forwarder.ts wire records). */
  private readonly tables = new Map<number, { actors: Map<number, ActorDescription>; strings: string[] }>();

  /** Step 2: applies one F_DL_EDGES frame from `node`. */
  apply(node: number, t: readonly unknown[]): void {
    let tab = this.tables.get(node);
    if (tab === undefined) this.tables.set(node, (tab = { actors: new Map(), strings: [] }));
    let i = 0;
    while (i < t.length) {
      switch (t[i]) {
        case OP_REMOVE: {
          const e = this.edges.get(t[i + 1] as number);
          if (e !== undefined) this.drop(e);
          i += 2;
          break;
        }
        case OP_ACTOR: {
          const id = t[i + 1] as number;
          tab.actors.set(id, desc(id, t[i + 2] as string | null, t[i + 3] as string));
          i += 4;
          break;
        }
        case OP_STRING:
          tab.strings[t[i + 1] as number] = t[i + 2] as string;
          i += 3;
          break;
        case OP_RESET:
          tab.actors.clear();
          tab.strings.length = 0;
          i += 1;
          break;
        case OP_ADD: {
          const at = t[i + 4] as number;
          const e: GlobalEdge = {
            id: t[i + 1] as number,
            from: tab.actors.get(t[i + 2] as number)!,
            to: tab.actors.get(t[i + 3] as number)!,
            // The executor's clock has its own origin: ages here are measured on wall time.
            since: at,
            at,
            chain: t[i + 5] as number,
            reentrant: t[i + 6] === 1,
            messageType: tab.strings[t[i + 7] as number]!,
            strategy: tab.strings[t[i + 8] as number]!,
            priority: t[i + 9] as number,
            node,
          };
          i += ADD_TOKENS;
          this.edges.set(e.id, e);
          this.detector.add(e, e.strategy !== 'timeout-only');
          break;
        }
        default:
          throw new Error(`corrupt deadlock edge batch from node ${node} (runtime bug)`);
      }
    }
  }

  private drop(e: GlobalEdge): void {
    this.edges.delete(e.id);
    this.claimed.delete(e.id);
    this.detector.remove(e);
  }

  /** An executor is gone: its edges with it (no confirmation could come from it). */
  lost(node: number): void {
    this.tables.delete(node);
    for (const e of [...this.edges.values()]) if (e.node === node) this.drop(e);
    for (const [id, p] of this.probes)
      if (p.cycle.some((e) => e.node === node)) {
        this.probes.delete(id);
        this.retry(p);
      }
  }

  /** Step 3: a cycle in the union; confirm it with every executor that holds one of its edges. */
  private found(cycle: GlobalEdge[]): void {
    const node = cycle[0]!.node;
    if (cycle.every((e) => e.node === node)) return; // invariant 2
    if (cycle.some((e) => this.claimed.has(e.id))) return;
    for (const e of cycle) this.claimed.add(e.id);
    const byNode = new Map<number, number[]>();
    for (const e of cycle) {
      const ids = byNode.get(e.node);
      if (ids === undefined) byNode.set(e.node, [e.id]);
      else ids.push(e.id);
    }
    const probe = ++this.probeSeq;
    this.counts.probes++;
    this.probes.set(probe, { cycle, waiting: byNode.size, ok: true });
    for (const [n, ids] of byNode) this.port.confirm(n, probe, ids);
  }

  /** An executor's answer to a probe. */
  confirmed(probe: number, allLive: boolean): void {
    const p = this.probes.get(probe);
    if (p === undefined) return;
    if (!allLive) p.ok = false;
    if (--p.waiting > 0) return;
    this.probes.delete(probe);
    if (p.ok) this.resolve(p.cycle);
    else this.retry(p);
  }

  /** A phantom (some edge was already gone): search again from the edges that remain. */
  private retry(p: Probe): void {
    this.counts.phantoms++;
    for (const e of p.cycle) this.claimed.delete(e.id);
    for (const e of p.cycle) {
      if (this.edges.get(e.id) !== e || this.claimed.has(e.id)) continue;
      const c = this.detector.graph.cycleThrough(e);
      if (c !== null) this.found(c);
    }
  }

  /** Step 3, end: the strategy of the asker whose wait closed the cycle (the latest) picks the action. */
  private resolve(found: GlobalEdge[]): void {
    const t0 = performance.now();
    const host = this.host;
    let k = 0;
    for (let i = 1; i < found.length; i++) if (found[i]!.at > found[k]!.at) k = i;
    const cycle = [...found.slice(k), ...found.slice(0, k)];
    const closing = cycle[0]!;
    const strategy = closing.strategy;
    const now = wallNow();
    const info: DeadlockCycle = {
      actors: cycle.map((e) => ({ ...e.from, priority: e.priority })),
      asks: cycle.map((e) => ({
        id: e.id,
        from: e.from,
        to: e.to,
        messageType: e.messageType,
        ageMs: now - e.at,
        chain: e.chain,
      })),
      closing: closing.id,
    };
    host.emit({ type: 'deadlock.detected', at: host.clock.now(), strategy, cycle: info });
    const { action: act, error } = decide(strategy, info);
    const entries = info.asks.map((a) => ({ actor: a.from, waitingForMs: a.ageMs }));
    const edge =
      act.type === 'fail-ask'
        ? cycle.find((e) => e.id === act.ask)
        : act.type === 'restart'
          ? cycle.find((e) => e.from.id === act.actor)
          : undefined;
    // A later cycle may share these edges (the same actors deadlock again): it must be found too.
    // The edge acted on stays claimed until its removal arrives: any cycle through it is this one
    // again (its ask is being failed), and a confirmation that overtook the action could pass.
    for (const e of cycle) if (e !== edge) this.claimed.delete(e.id);
    if (edge !== undefined) {
      this.counts.resolved++;
      this.port.act(edge.node, act, edge.id, entries, strategy);
    }
    host.emit({
      type: 'deadlock.resolved',
      at: host.clock.now(),
      strategy,
      action: act,
      cycle: info,
      resolveMs: performance.now() - t0,
      ...(error !== undefined ? { error } : {}),
    });
  }

  snapshot(): WaitForGraphSnapshot {
    return this.detector.graph.snapshot(wallNow());
  }
}
