/**
 * ActorSystem: the application's handle. `createSystem` validates options,
 * loads the actor module's definitions and starts the hosts.
 */
import { pathToFileURL } from 'node:url';
import type { Observable } from 'rxjs';
import { type ActorCell, ALIVE } from './cell.ts';
import type { ActorDefinition, MessageOf, PropsOf } from './definition.ts';
import { definitionsOf } from './definition.ts';
import { ConfigError } from './errors.ts';
import type { AnyTroupeEvent, DeadLetter } from './events.ts';
import { Host } from './host.ts';
import { type ResolvedOptions, resolveOptions, type SystemOptions } from './options.ts';
import { type ActorRef, checkRef } from './ref.ts';
import { dehydrate, rehydrate } from './snapshot.ts';
import type { SpawnOptions } from './spawn-options.ts';
import type { SystemStats } from './stats.ts';

export interface ShutdownOptions {
  /** Upper bound for the whole shutdown, ms. Default 5000. */
  readonly timeoutMs?: number;
  /** Why (recorded in events and the report). Default 'shutdown'. */
  readonly reason?: string;
}

export interface ShutdownReport {
  readonly reason: string;
  readonly durationMs: number;
  /** Actors stopped in order. */
  readonly stopped: number;
  /** Messages dead-lettered during shutdown, by reason. */
  readonly deadLettered: Readonly<Record<string, number>>;
  readonly stats: SystemStats;
}

export class ActorSystem {
  /** @internal */
  readonly host: Host;
  readonly options: ResolvedOptions;
  private shuttingDown: Promise<ShutdownReport> | null = null;

  /** @internal use createSystem */
  constructor(options: ResolvedOptions, definitions: readonly ActorDefinition[]) {
    this.options = options;
    this.host = new Host({
      node: 0,
      clock: options.clock,
      throughput: options.throughput,
      yieldMs: options.yieldMs,
      askTimeoutMs: options.askTimeoutMs,
      mailbox: options.mailbox,
      events: options.events,
    });
    for (const d of definitions) this.host.register(d, `actors.${d.name}`);
  }

  /** Every observable step as one typed stream (lifecycle always; per-message while subscribed). */
  get events$(): Observable<AnyTroupeEvent> {
    return this.host.events.events$;
  }

  /** Messages that could not be delivered or processed, with the reason. */
  get deadLetters$(): Observable<DeadLetter> {
    return this.host.deadLetters.asObservable();
  }

  get clock() {
    return this.host.clock;
  }

  /** Definitions known by name (from `actors` and every spawn). */
  definitions(): string[] {
    return [...this.host.definitions.keys()];
  }

  async spawn<D extends ActorDefinition>(
    def: D,
    props: PropsOf<D>,
    options?: SpawnOptions,
  ): Promise<ActorRef<MessageOf<D>>> {
    return this.spawnSync(def, props, options);
  }

  /** In-thread spawn without the promise (benchmarks, tests). */
  spawnSync<D extends ActorDefinition>(
    def: D,
    props: PropsOf<D>,
    options?: SpawnOptions,
  ): ActorRef<MessageOf<D>> {
    return this.host.spawnLocal(def, props, options, null) as ActorRef<MessageOf<D>>;
  }

  lookup<M = unknown>(name: string): ActorRef<M> | undefined {
    if (typeof name !== 'string') throw new ConfigError('lookup(name)', 'a string', name);
    return this.host.names.get(name)?.ref as ActorRef<M> | undefined;
  }

  /** Stops an actor (children first, then onStop); resolves once it has terminated. */
  stop(ref: ActorRef): Promise<void> {
    checkRef(ref, 'system.stop(ref)');
    const cell = this.cellOf(ref);
    if (cell === undefined) return Promise.resolve();
    cell.requestStop('stopped');
    return cell.whenStopped();
  }

  stats(): SystemStats {
    return this.host.stats.snapshot(this.host.cells.size);
  }

  /** Encodes an actor (state, pending mailbox, watchers) as bytes without moving it. */
  dehydrate(ref: ActorRef): Uint8Array {
    checkRef(ref, 'system.dehydrate(ref)');
    const cell = this.cellOf(ref);
    if (cell === undefined)
      throw new ConfigError('system.dehydrate(ref)', 'a live actor of this system', ref.toString());
    return dehydrate(cell, false);
  }

  /** Encodes an actor and removes it from this system; its ref forwards to wherever it is rehydrated. */
  detach(ref: ActorRef): Uint8Array {
    checkRef(ref, 'system.detach(ref)');
    const cell = this.cellOf(ref);
    if (cell === undefined)
      throw new ConfigError('system.detach(ref)', 'a live actor of this system', ref.toString());
    return dehydrate(cell, true);
  }

  /** Recreates an actor from `dehydrate`/`detach` bytes; it resumes with its state and pending messages. */
  rehydrate<M = unknown>(bytes: Uint8Array): ActorRef<M> {
    if (!(bytes instanceof Uint8Array))
      throw new ConfigError('system.rehydrate(bytes)', 'a Uint8Array', bytes);
    return rehydrate(this.host, bytes) as ActorRef<M>;
  }

  /**
   * Stops intake, stops top-level actors in reverse start order (each stops
   * its children first), and reports what happened to every message.
   * Idempotent: a second call returns the same promise.
   */
  shutdown(options: ShutdownOptions = {}): Promise<ShutdownReport> {
    if (this.shuttingDown === null) this.shuttingDown = this.runShutdown(options);
    return this.shuttingDown;
  }

  private async runShutdown(options: ShutdownOptions): Promise<ShutdownReport> {
    const host = this.host;
    const start = host.clock.now();
    const reason = options.reason ?? 'shutdown';
    const before = new Map(host.stats.byReason);
    host.accepting = false;
    let stopped = 0;
    const roots = [...host.roots].reverse();
    for (const cell of roots) {
      if (cell.status !== ALIVE) continue;
      stopped++;
      cell.requestStop('shutdown');
      await cell.whenStopped();
    }
    const deadLettered: Record<string, number> = {};
    for (const [k, v] of host.stats.byReason) {
      const d = v - (before.get(k) ?? 0);
      if (d > 0) deadLettered[k] = d;
    }
    const report: ShutdownReport = {
      reason,
      durationMs: host.clock.now() - start,
      stopped,
      deadLettered,
      stats: this.stats(),
    };
    host.events.complete();
    return report;
  }

  private cellOf(ref: ActorRef): ActorCell | undefined {
    const c = ref.cell ?? this.host.cells.get(ref.id);
    return c ?? undefined;
  }
}

async function loadDefinitions(actors: SystemOptions['actors']): Promise<ActorDefinition[]> {
  if (actors === undefined) return [];
  if (actors instanceof URL || typeof actors === 'string') {
    const url =
      actors instanceof URL ? actors.href : actors.startsWith('file:') ? actors : pathToFileURL(actors).href;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError('options.actors', 'an importable module', `${url} (${(e as Error).message})`);
    }
    return definitionsOf(mod);
  }
  return definitionsOf(actors as Record<string, unknown>);
}

/** Creates an actor system. Validates every option first (ConfigError names the bad field). */
export async function createSystem(options: SystemOptions = {}): Promise<ActorSystem> {
  const resolved = resolveOptions(options);
  if (resolved.executors !== 0)
    throw new ConfigError(
      'options.executors',
      '0 in this build (executor threads arrive with the scheduler)',
      resolved.executors,
    );
  const defs = await loadDefinitions(resolved.actors);
  return new ActorSystem(resolved, defs);
}
