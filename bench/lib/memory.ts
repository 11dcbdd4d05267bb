/**
 * Retained heap per idle actor: full GC, heap used, create N idle actors
 * (kept reachable, as an application keeps its refs), full GC, heap used
 * again; the difference over N. Needs --expose-gc; without it the numbers
 * would be noise, so the measurement is skipped with a note.
 */
import { createSystem } from '@troupe/runtime';
import { createActor, setup } from 'xstate';
import { Idle } from '../workloads/idle.actors.ts';
import type { MemoryResult } from './report.ts';
import type { ErlangPeer } from './types.ts';

const gc = (globalThis as { gc?: () => void }).gc;

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const xIdle = setup({ types: { context: {} as { n: number } } }).createMachine({ context: { n: 0 } });

export async function idleActorMemory(
  n: number,
  erlang: ErlangPeer | null,
): Promise<MemoryResult[] | string> {
  if (gc === undefined) return 'retained heap per idle actor skipped: run node with --expose-gc';
  const out: MemoryResult[] = [];
  {
    const system = await createSystem({ executors: 0 });
    const keep = new Array(n);
    const h0 = heap();
    for (let i = 0; i < n; i++) keep[i] = system.spawnSync(Idle, undefined);
    await new Promise((r) => setImmediate(r));
    const h1 = heap();
    out.push({ system: 'troupe', mode: 'in-thread', actors: n, bytesPerIdleActor: (h1 - h0) / n });
    keep.length = 0;
    await system.shutdown({ timeoutMs: 30_000 });
  }
  {
    const keep = new Array(n);
    const h0 = heap();
    for (let i = 0; i < n; i++) keep[i] = createActor(xIdle).start();
    const h1 = heap();
    out.push({ system: 'xstate', mode: 'machine', actors: n, bytesPerIdleActor: (h1 - h0) / n });
    for (const a of keep) a.stop();
  }
  if (erlang) {
    const r = await erlang.call('idle', [n]);
    out.push({ system: 'erlang', mode: erlang.mode, actors: n, bytesPerIdleActor: r.check / n });
  }
  return out;
}
