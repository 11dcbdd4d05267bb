/**
 * The README demo (`npm start`): actors on executor threads, tell and ask,
 * an xstate machine as an actor, the event stream, stats and scheduler
 * metrics, dead letters, and a graceful shutdown with its report.
 */
import { threadId } from 'node:worker_threads';
import { createSystem } from '@troupe/runtime';
import { Counter, Cruncher, Door } from './actors.ts';

const system = await createSystem({
  actors: new URL('./actors.ts', import.meta.url),
  executors: 'auto', // one per usable core (cgroup quota respected)
});
console.log(`main thread ${threadId}; executors: ${system.metrics().executors.length}`);

const lifecycle = new Map<string, number>();
const sub = system.events$.subscribe((e) => {
  if (e.type.startsWith('actor.')) lifecycle.set(e.type, (lifecycle.get(e.type) ?? 0) + 1);
});

const c = await system.spawn(Counter, { start: 0 }, { name: 'c1' });
for (let i = 0; i < 1000; i++) c.tell({ type: 'inc' });
const n = await c.ask({ type: 'get' }, { timeoutMs: 1000 }); // a number: the message declares it
console.log(`counter c1 after 1000 incs: ${n} (runs on thread ${await c.ask({ type: 'where' })})`);

const door = await system.spawn(Door, undefined, { name: 'front-door' });
const snap = await door.ask<{ value: string }>({ type: 'open' });
console.log(`door (xstate machine) after "open": ${snap.value}`);

// Fan CPU-bound work out over 16 actors; 'spread' placement puts them on every executor.
const crunchers = await Promise.all(Array.from({ length: 16 }, () => system.spawn(Cruncher, undefined)));
const t0 = performance.now();
for (let round = 0; round < 50; round++) for (const w of crunchers) w.tell({ type: 'crunch', n: 20_000 });
const results = await Promise.all(crunchers.map((w) => w.ask({ type: 'done' })));
const threads = new Set(results.map((r) => r.thread));
const jobs = results.reduce((s, r) => s + r.done, 0);
console.log(
  `${jobs} jobs on ${threads.size} executor threads [${[...threads].join(', ')}] in ${(performance.now() - t0).toFixed(0)} ms`,
);

await system.stop(c);
c.tell({ type: 'inc' }); // dead-lettered with reason "stopped": nothing is lost silently
await system.syncStats();
console.log('stats:', JSON.stringify(system.stats()));
for (const e of system.metrics().executors)
  console.log(
    `  executor ${e.id} (group ${e.group}, thread ${e.threadId}): tasks ${e.tasksCompleted}, steals ${e.stealSuccesses}/${e.stealAttempts}, migrations ${e.migrations}`,
  );
console.log('lifecycle events:', JSON.stringify(Object.fromEntries(lifecycle)));
sub.unsubscribe();
const report = await system.shutdown({ timeoutMs: 5000 });
console.log(
  `shutdown ${report.outcome}: stopped ${report.stopped} actors in ${report.durationMs.toFixed(1)} ms, dead letters ${JSON.stringify(report.deadLettered)}`,
);
