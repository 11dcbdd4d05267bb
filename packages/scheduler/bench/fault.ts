/**
 * Recovery time after a hung handler. Each round places `actors` workers on
 * one executor under a watch-based guardian on another, makes one of them
 * spin forever, and times, from the tell that starts the spin:
 * - detect: the `executor.hung` event (watchdog verdict);
 * - restarted: every lost worker failed, was restarted by the guardian and
 *   answered an ask (service restored, on whichever executor was healthy);
 * - replaced: the `executor.replaced` event (replacement thread ready);
 * - onReplacement: an actor spawned on the replacement answered.
 * Runs from sources (tsx), so a replacement's start includes loading the
 * executor through tsx, as a `dist` build would not.
 *
 *   node --conditions=@troupe/source --import tsx packages/scheduler/bench/fault.ts [actors] [rounds]
 */
import { type ActorRef, type AnyTroupeEvent, createSystem } from '@troupe/runtime';
import { filter, firstValueFrom } from 'rxjs';
import * as F from '../../../test/fixtures/fault-actors.ts';

const ACTORS = Number(process.argv[2] ?? 100);
const ROUNDS = Number(process.argv[3] ?? 5);
const SETTINGS = [
  { hangTimeoutMs: 200, watchdogIntervalMs: 50 },
  { hangTimeoutMs: 1000, watchdogIntervalMs: 250 },
];

interface Round {
  detect: number;
  restarted: number;
  replaced: number;
  onReplacement: number;
}

async function run(setting: (typeof SETTINGS)[number]): Promise<Round[]> {
  const system = await createSystem({
    actors: new URL('../../../test/fixtures/fault-actors.ts', import.meta.url),
    executors: 2,
    topology: { groups: [[0], [1]] },
    stealing: false,
    restartBreaker: { maxLosses: 1_000_000 },
    ...setting,
  });
  const next = (type: string) =>
    firstValueFrom(system.events$.pipe(filter((e: AnyTroupeEvent) => e.type === type)));
  const guardian = await system.spawn(F.guardian, undefined, { placement: { executor: 2 } });
  let victim = 1;
  const rounds: Round[] = [];
  let failed = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const refs: ActorRef<F.WorkerMsg>[] = [];
    for (let i = 0; i < ACTORS; i++) {
      const key = `r${r}-${i}`;
      const ref = await system.spawn(F.worker, { key }, { placement: { executor: victim } });
      guardian.tell({ type: 'adopt', key, ref });
      refs.push(ref);
    }
    await guardian.ask({ type: 'children' });
    const hung = next('executor.hung');
    const replaced = next('executor.replaced');
    const t0 = performance.now();
    refs[0]!.tell({ type: 'spin' });
    await hung;
    const detect = performance.now() - t0;
    // Service restored: the guardian restarted every lost worker and each answers.
    for (;;) {
      const f = await guardian.ask<unknown[]>({ type: 'failures' });
      if (f.length >= failed + ACTORS) break;
      await new Promise((res) => setImmediate(res));
    }
    failed += ACTORS;
    const kids = await guardian.ask<Record<string, ActorRef<F.WorkerMsg>>>({ type: 'children' });
    await Promise.all(Array.from({ length: ACTORS }, (_, i) => kids[`r${r}-${i}`]!.ask({ type: 'get' })));
    const restarted = performance.now() - t0;
    const rep = (await replaced) as unknown as { replacement: number };
    const replacedMs = performance.now() - t0;
    victim = rep.replacement;
    const probe = await system.spawn(F.worker, { key: 'probe' }, { placement: { executor: victim } });
    await probe.ask({ type: 'get' });
    rounds.push({ detect, restarted, replaced: replacedMs, onReplacement: performance.now() - t0 });
  }
  await system.syncStats();
  const s = system.stats();
  if (s.sent !== s.processed + s.deadLettered.total) throw new Error(`unbalanced: ${JSON.stringify(s)}`);
  await system.terminateExecutors();
  return rounds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) =>
  `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

console.log(`actors on the hung executor: ${ACTORS}, rounds: ${ROUNDS}, node ${process.version}`);
console.log(
  '| hangTimeoutMs | watchdogIntervalMs | detect ms | restarted ms | replaced ms | on replacement ms |',
);
console.log('|---|---|---|---|---|---|');
for (const s of SETTINGS) {
  const rs = await run(s);
  console.log(
    `| ${s.hangTimeoutMs} | ${s.watchdogIntervalMs} | ${fmt(rs.map((r) => r.detect))} | ${fmt(rs.map((r) => r.restarted))} | ${fmt(rs.map((r) => r.replaced))} | ${fmt(rs.map((r) => r.onReplacement))} |`,
  );
}
