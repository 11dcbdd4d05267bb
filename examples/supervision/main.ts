/**
 * A small supervision tree with a flaky worker: restarts with exponential
 * backoff, a message retry, escalation when a sub-tree exceeds its restart
 * intensity, and finally the root stopping the system with a report.
 *
 * Run: node --conditions=@troupe/source --import tsx examples/supervision/main.ts
 */
import { type ActorRef, createSystem, supervisor } from '@troupe/runtime';
import { Db, FlakyWorker, type JobMsg } from './actors.ts';

const system = await createSystem({ actors: new URL('./actors.ts', import.meta.url), executors: 0 });
const t0 = system.clock.now();
const at = () => `${String(Math.round(system.clock.now() - t0)).padStart(5)} ms`;
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

system.events$.subscribe((e) => {
  const ev = e as Record<string, any>;
  switch (e.type) {
    case 'supervisor.child-started':
      console.log(`${at()}  [${ev.supervisorId}] started ${ev.child}`);
      break;
    case 'supervisor.child-failed':
      console.log(`${at()}  [${ev.supervisorId}] ${ev.child} failed in ${ev.context}: ${errText(ev.error)}`);
      break;
    case 'supervisor.child-restarted':
      console.log(
        `${at()}  [${ev.supervisorId}] restarted ${ev.child} (attempt ${ev.attempt}, after ${Math.round(ev.delayMs)} ms backoff)`,
      );
      break;
    case 'supervisor.intensity-exceeded':
      console.log(
        `${at()}  [${ev.supervisorId}] intensity exceeded (${ev.maxRestarts} restarts in ${ev.withinMs} ms)`,
      );
      break;
    case 'supervisor.escalated':
      console.log(`${at()}  [${ev.supervisorId}] escalates to its parent (${ev.reason})`);
      break;
    case 'actor.message-retried':
      console.log(
        `${at()}  retrying a ${ev.messageType} message (attempt ${ev.attempt}): ${errText(ev.error)}`,
      );
      break;
    case 'supervisor.tree-failed':
      console.log(`${at()}  [root] tree "${ev.supervisorId}" failed: ${ev.action}`);
      break;
  }
});

const tree = await system.start(
  supervisor({
    id: 'app',
    strategy: 'one-for-one',
    intensity: { maxRestarts: 2, withinMs: 10_000 },
    children: [
      { id: 'db', actor: Db },
      {
        id: 'jobs',
        supervisor: {
          strategy: 'one-for-one',
          intensity: { maxRestarts: 3, withinMs: 5_000 },
          backoff: { minMs: 20, maxMs: 400, factor: 2, jitter: 0.2, resetAfterMs: 2_000 },
          children: [
            {
              id: 'worker',
              actor: FlakyWorker,
              // Transient errors are retried in place (the message keeps its turn); crashes go to the supervisor.
              retry: { attempts: 2, backoff: 10, retryOn: (e) => errText(e).includes('transient') },
            },
          ],
        },
      },
    ],
  }),
);
console.log('tree started:', (await tree.children()).map((c) => `${c.id} (${c.kind})`).join(', '));

const jobs = await tree.supervisor('jobs');
const worker = async () => (await jobs.child<JobMsg>('worker')) as ActorRef<JobMsg>;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

console.log('\n-- a transient hiccup is retried, no restart');
(await worker()).tell({ type: 'job', id: 1, fail: 'transient' });
await pause(50);

console.log('\n-- crashes: restarted in place with growing backoff (same ref, queued jobs wait)');
for (let id = 2; id <= 4; id++) {
  const w = await worker();
  w.tell({ type: 'job', id, fail: 'crash' });
  w.tell({ type: 'job', id: id * 10 });
  await pause(200);
}
console.log(
  `worker processed ${await (await worker()).ask({ type: 'stats' })} job(s) since its last restart`,
);

console.log('\n-- one crash too many: "jobs" exceeds 3 restarts / 5 s and escalates; "app" restarts it');
(await worker()).tell({ type: 'job', id: 5, fail: 'crash' });
await pause(100);
const db = (await tree.child<{ type: 'query' } | { type: 'stats' }>('db')) as ActorRef<{ type: 'query' }>;
db.tell({ type: 'query' });
console.log(`db kept its state: ${await db.ask({ type: 'stats' } as never)} query`);

console.log(
  '\n-- "jobs" escalates twice more: "app" exceeds its own intensity and the root stops the system',
);
for (let round = 0; round < 2; round++) {
  const j = await tree.supervisor('jobs');
  for (let k = 0; k < 4; k++) {
    const w = await j.child<JobMsg>('worker');
    w?.tell({ type: 'job', id: 100 + k, fail: 'crash' });
    await pause(k === 3 ? 50 : 200);
  }
}
const failure = await tree.whenFailed();
const report = failure.shutdown as {
  outcome?: string;
  stats: { sent: number; processed: number; deadLettered: { byReason: object } };
};
console.log(`\nroot report: tree "${failure.tree}" failed: ${errText(failure.error)}`);
console.log(
  `shutdown ${report.outcome ?? 'done'}; messages sent ${report.stats.sent}, processed ${report.stats.processed}, dead-lettered ${JSON.stringify(report.stats.deadLettered.byReason)}`,
);
