/**
 * The child side of a supervisor (supervisor.ts builds the restart protocol on it): its child
 * records in start order and their lookup, stopping children (each with its shutdownMs, then
 * killed; all of them one by one in reverse start order), and the timers and steps it runs in
 * later turns of its own, which nothing may outlive.
 */

import { type ActorCell, STOPPED } from '../../kernel/cell.ts';
import { cellOf } from '../../kernel/cell-of.ts';
import type { TimerHandle } from '../../kernel/clock.ts';
import type { ActorRef } from '../../kernel/ref.ts';
import { extMsg, killMsg } from '../../kernel/sysmsg.ts';
import type { ChildInfo } from './decider.ts';
import { emitSupervisorNote } from './events.ts';
import { DUE } from './messages.ts';
import { type ChildRecord, inStartOrder, newRecord } from './records.ts';
import type { ChildSpec, SupervisorSpec } from './spec.ts';

export type Mode = 'starting' | 'running' | 'escalating' | 'stopping' | 'failed';

export abstract class SupervisorChildren {
  readonly records: ChildRecord[] = [];
  mode: Mode = 'starting';
  protected readonly timers = new Set<TimerHandle>();
  private afterStop: (() => void) | null = null;
  private stopReason = 'shutdown';
  /** Steps due in a later turn of this supervisor (`after`), by sequence number (a `DUE` message names one). */
  private readonly pending = new Map<number, () => void>();
  private seq = 0;

  /** Its actor's cell; null only between a move's decode and its arrival (moving.ts `attach`). */
  cell: ActorCell;

  constructor(
    readonly spec: SupervisorSpec,
    cell: ActorCell | null,
  ) {
    this.cell = cell as ActorCell;
    for (const c of spec.children) this.records.push(newRecord(c));
  }

  get id(): string {
    return this.spec.id;
  }

  protected get host() {
    return this.cell.host;
  }

  /** Runs `fn` in this supervisor's own turn after `ms` on the clock (0: next turn). */
  protected after(ms: number, fn: () => void): void {
    const self = this.cell.ref;
    const seq = ++this.seq;
    this.pending.set(seq, fn);
    const post = (): void => this.host.sendSystem(self, extMsg(DUE, seq));
    if (ms <= 0) {
      post();
      return;
    }
    // A restart waiting out its backoff is pending work: it holds the process (lifetime.ts).
    const clock = this.host.timers;
    const h = clock.setTimeout(() => {
      this.timers.delete(h);
      post();
    }, ms);
    this.timers.add(h);
  }

  /** A `DUE` message, in this supervisor's turn: the step posted by `after`. */
  due(seq: number): void {
    const fn = this.pending.get(seq);
    if (fn === undefined) return;
    this.pending.delete(seq);
    if (this.mode === 'running' || this.mode === 'starting') fn();
  }

  /** A respawned child joins its parent's child set last; spec order is what every stop walks in reverse. */
  protected keepStartOrder(): void {
    const kids = this.cell.children;
    if (kids !== null) this.cell.children = inStartOrder(this.records, kids);
  }

  /** Asks a child to stop; past its shutdownMs it is killed (OTP brutal_kill after the timeout). */
  stopChild(rec: ChildRecord, reason: string, afterExit: 'keep' | 'delete'): void {
    rec.afterExit = afterExit;
    if (!rec.alive || rec.ref === undefined) {
      if (afterExit === 'delete') this.remove(rec);
      return;
    }
    if (rec.stopping) return;
    rec.stopping = true;
    const ref = rec.ref;
    this.host.stopRef(ref, reason);
    if (Number.isFinite(rec.spec.shutdownMs)) {
      const clock = this.host.timers;
      const h = clock.setTimeout(() => {
        this.timers.delete(h);
        rec.stopTimer = null;
        const c = cellOf(ref);
        if (c !== null && c.status === STOPPED) return;
        emitSupervisorNote(this.host, 'supervisor.child-killed', {
          supervisor: this.cell.desc,
          supervisorId: this.id,
          child: rec.spec.id,
          actor: ref.toJSON(),
          shutdownMs: rec.spec.shutdownMs,
        });
        // Here, or a kill to the executor it moved to (it never answered the stop: no exit yet).
        this.host.sendSystem(ref, killMsg(reason));
      }, rec.spec.shutdownMs);
      rec.stopTimer = h;
      this.timers.add(h);
    }
  }

  /** The supervisor itself is stopping: children go one by one in reverse start order. */
  stopForOwnStop(reason: string): void {
    if (this.mode === 'stopping') return;
    this.mode = 'stopping';
    this.cancelTimers();
    for (const r of this.records) r.pending = 'none';
    this.stopAllThen(reason === 'shutdown' ? 'shutdown' : 'parent-stopped', () => {});
  }

  protected stopAllThen(reason: string, done: () => void): void {
    this.stopReason = reason;
    this.afterStop = done;
    this.continueStop();
  }

  protected continueStop(): void {
    if (this.afterStop === null) return;
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i] as ChildRecord;
      if (!r.alive) continue;
      if (!r.stopping) this.stopChild(r, this.stopReason, 'keep');
      return; // one at a time: the next goes when this one has exited
    }
    const done = this.afterStop;
    this.afterStop = null;
    done();
  }

  protected cancelTimers(): void {
    const clock = this.host.timers;
    for (const h of this.timers) clock.clearTimeout(h);
    this.timers.clear();
    this.pending.clear();
    for (const r of this.records) r.stopTimer = null;
  }

  /** No step of its own in flight: no timer, no due step, no child due, restarting, stopping or awaited. */
  atRest(): boolean {
    if (this.timers.size > 0 || this.pending.size > 0 || this.afterStop !== null) return false;
    for (const r of this.records)
      if (r.pending !== 'none' || r.stopping || r.exitWaiters.length > 0 || r.stopTimer !== null)
        return false;
    return true;
  }

  /** onStop: nothing may fire after the supervisor is gone. */
  dispose(): void {
    this.cancelTimers();
    this.afterStop = null;
  }

  byRef(ref: ActorRef): ChildRecord | undefined {
    for (const r of this.records) if (r.ref !== undefined && r.ref.id === ref.id) return r;
    return undefined;
  }

  byId(id: string): ChildRecord | undefined {
    for (const r of this.records) if (r.spec.id === id) return r;
    return undefined;
  }

  add(spec: ChildSpec): ChildRecord {
    const rec = newRecord(spec);
    this.records.push(rec);
    return rec;
  }

  remove(rec: ChildRecord): void {
    const i = this.records.indexOf(rec);
    if (i >= 0) this.records.splice(i, 1);
  }

  info(rec: ChildRecord): ChildInfo {
    return {
      id: rec.spec.id,
      ref: rec.ref,
      kind: rec.spec.kind,
      restart: rec.spec.restart,
      restarts: rec.restarts,
    };
  }
}
