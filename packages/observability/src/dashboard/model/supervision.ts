/**
 * Supervision trees from the `supervisor.*` events (and `actor.stopped` for
 * children that end): who supervises whom, each child's status and restarts,
 * and how much of its intensity a supervisor has used. A supervisor whose
 * actor is the child of another is drawn inside it.
 */
import type { ActorDescription } from '@troupe/runtime';
import type { ActorRef, ChildView, TreeView } from '../protocol.ts';
import { Ring } from '../ring.ts';

const MAX_SUPERVISORS = 1000;
const MAX_CHILDREN = 1000;
const MAX_DEPTH = 32;
/** Children listed per supervisor in a view (the rest are counted). */
const SHOWN_CHILDREN = 200;
/** OTP's default intensity window, used for "restarts inside the window" until an event names the real one. */
const DEFAULT_WITHIN_MS = 5000;

interface Child {
  readonly id: string;
  actor: ActorRef | null;
  status: ChildView['status'];
  restarts: number;
  lastError: string | null;
}

interface Sup {
  readonly actor: ActorRef;
  readonly id: string;
  readonly children: Map<string, Child>;
  readonly restartTimes: Ring<number>;
  maxRestarts: number | null;
  withinMs: number | null;
  escalations: number;
}

export interface SupervisorEventLike {
  readonly type: string;
  readonly at: number;
  readonly supervisor?: ActorDescription;
  readonly supervisorId?: string;
  readonly child?: string;
  readonly actor?: ActorDescription;
  readonly error?: unknown;
  readonly maxRestarts?: number;
  readonly withinMs?: number;
  readonly intensity?: { readonly maxRestarts?: number; readonly withinMs?: number };
}

const ref = (a: ActorDescription): ActorRef => ({ id: a.id, name: a.name, def: a.def });

export class Supervision {
  private readonly sups = new Map<number, Sup>();
  /** Child actor id → the supervisor holding it. */
  private readonly byChildActor = new Map<number, Sup>();

  event(e: SupervisorEventLike): void {
    const s = e.supervisor;
    if (s === undefined || s === null || typeof s.id !== 'number') return;
    let sup = this.sups.get(s.id);
    if (sup === undefined) {
      if (this.sups.size >= MAX_SUPERVISORS) return;
      sup = {
        actor: ref(s),
        id: String(e.supervisorId ?? s.name ?? s.def),
        children: new Map(),
        restartTimes: new Ring<number>(256),
        maxRestarts: null,
        withinMs: null,
        escalations: 0,
      };
      this.sups.set(s.id, sup);
    }
    const intensity = e.intensity;
    if (intensity !== undefined && intensity !== null) {
      if (typeof intensity.maxRestarts === 'number') sup.maxRestarts = intensity.maxRestarts;
      if (typeof intensity.withinMs === 'number') sup.withinMs = intensity.withinMs;
    }
    if (typeof e.child !== 'string') return;
    const child = this.child(sup, e.child);
    if (child === undefined) return;
    switch (e.type) {
      case 'supervisor.child-started':
        if (e.actor !== undefined && e.actor !== null) {
          if (child.actor !== null) this.byChildActor.delete(child.actor.id);
          child.actor = ref(e.actor);
          this.byChildActor.set(e.actor.id, sup);
        }
        child.status = 'running';
        return;
      case 'supervisor.child-failed':
        child.status = 'failed';
        child.lastError = describeError(e.error);
        return;
      case 'supervisor.child-restarted':
        child.restarts++;
        child.status = 'running';
        sup.restartTimes.push(e.at);
        return;
      case 'supervisor.child-resumed':
        child.status = 'running';
        return;
      case 'supervisor.intensity-exceeded':
        if (typeof e.maxRestarts === 'number') sup.maxRestarts = e.maxRestarts;
        if (typeof e.withinMs === 'number') sup.withinMs = e.withinMs;
        return;
      case 'supervisor.escalated':
        sup.escalations++;
        child.lastError = describeError(e.error);
    }
  }

  /** An actor stopped: a child shows it; a supervisor that stopped leaves (its next incarnation is a new one). */
  stopped(a: ActorDescription): void {
    const holder = this.byChildActor.get(a.id);
    if (holder !== undefined) {
      for (const c of holder.children.values())
        if (c.actor?.id === a.id && c.status !== 'failed') c.status = 'stopped';
      this.byChildActor.delete(a.id);
    }
    const sup = this.sups.get(a.id);
    if (sup !== undefined) {
      this.sups.delete(a.id);
      for (const c of sup.children.values()) if (c.actor !== null) this.byChildActor.delete(c.actor.id);
    }
  }

  private child(sup: Sup, id: string): Child | undefined {
    let c = sup.children.get(id);
    if (c === undefined) {
      if (sup.children.size >= MAX_CHILDREN) return undefined;
      sup.children.set(id, (c = { id, actor: null, status: 'running', restarts: 0, lastError: null }));
    }
    return c;
  }

  /** Top-level trees (supervisors no other known supervisor holds), nested, at most `limit` of them. */
  view(now: number, limit = 50): TreeView[] {
    const roots = [...this.sups.values()].filter((s) => !this.byChildActor.has(s.actor.id));
    return roots.slice(0, limit).map((s) => this.tree(s, now, 0));
  }

  private tree(s: Sup, now: number, depth: number): TreeView {
    const within = s.withinMs ?? DEFAULT_WITHIN_MS;
    let used = 0;
    for (const t of s.restartTimes.toArray()) if (t >= now - within) used++;
    return {
      supervisor: s.actor,
      id: s.id,
      intensity: { used, maxRestarts: s.maxRestarts, withinMs: s.withinMs },
      escalations: s.escalations,
      more: Math.max(0, s.children.size - SHOWN_CHILDREN),
      children: [...s.children.values()].slice(0, SHOWN_CHILDREN).map((c) => {
        const inner = c.actor !== null ? this.sups.get(c.actor.id) : undefined;
        return {
          id: c.id,
          actor: c.actor,
          status: c.status,
          restarts: c.restarts,
          lastError: c.lastError,
          tree: inner !== undefined && depth < MAX_DEPTH ? this.tree(inner, now, depth + 1) : null,
        };
      }),
    };
  }
}

export function describeError(e: unknown): string | null {
  if (e === undefined || e === null) return null;
  if (typeof e === 'object') {
    const o = e as { name?: unknown; message?: unknown };
    if (typeof o.message === 'string')
      return `${typeof o.name === 'string' ? o.name : 'Error'}: ${o.message}`;
  }
  return String(e).slice(0, 500);
}
