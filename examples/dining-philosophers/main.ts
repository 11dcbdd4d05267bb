/**
 * Dining philosophers under every deadlock strategy: the same naive code
 * deadlocks under `timeout-only` and completes under each strategy.
 *
 *   node --conditions=@troupe/source --import tsx examples/dining-philosophers/main.ts
 */
import { createSystem } from '@troupe/runtime';
import { type PhilosopherMsg, SEATS, seats, Table, type TableResult } from './actors.ts';

const MEALS = 3;
const ASK_TIMEOUT_MS = 250;
const strategies = ['timeout-only', 'fail-ask', 'fail-youngest', 'restart-victim', 'prevent'] as const;

console.log(
  `Dining philosophers (Savina): ${SEATS} philosophers, ${MEALS} meals each; ` +
    'a philosopher holds its fork and asks its right neighbour for theirs.\n',
);

// The runtime's timers are unref'd (a pending ask alone does not keep a process alive); this run waits on them.
const keepAlive = setInterval(() => {}, 1000);
for (const strategy of strategies) {
  const system = await createSystem({ askTimeoutMs: ASK_TIMEOUT_MS, deadlock: { strategy } });
  let detected = 0;
  let violations = 0;
  let restarts = 0;
  system.events$.subscribe((e) => {
    if (e.type === 'deadlock.detected') detected++;
    else if (e.type === 'hierarchy.violation') violations++;
    else if (e.type === 'actor.restarted') restarts++;
  });
  const t0 = performance.now();
  const ring: import('@troupe/runtime').ActorRef<PhilosopherMsg>[] = [];
  const result = await new Promise<TableResult>((onDone) => {
    const table = system.spawnSync(Table, { meals: MEALS, ring, onDone });
    for (let i = 0; i < SEATS; i++) ring.push(system.spawnSync(seats[i]!, { seat: i, table, ring }));
  });
  const ms = performance.now() - t0;
  const completed = result.meals === result.expected;
  const how = completed
    ? strategy === 'prevent'
      ? `${violations} asks against the seat order refused at once (no cycle ever formed)`
      : strategy === 'restart-victim'
        ? `${detected} deadlocks detected, ${restarts} victims restarted`
        : `${detected} deadlocks detected, ${result.retries} philosophers put their fork down and retried`
    : `all ${SEATS} waited on each other until the first ask timed out after ${ASK_TIMEOUT_MS} ms; ` +
      `${result.gaveUp} gave up (${result.reasons.join(', ')}) and left the table hungry`;
  console.log(
    `${strategy.padEnd(15)} ${completed ? 'completed' : 'DEADLOCKED'}  ${String(result.meals).padStart(2)}/${result.expected} meals in ${ms.toFixed(1).padStart(6)} ms — ${how}`,
  );
  // Let the last replies land, then check that every message is accounted for.
  for (let i = 0; i < 100 && system.stats().inFlight > 0; i++) await new Promise((r) => setImmediate(r));
  const s = system.stats();
  if (s.sent !== s.processed + s.deadLettered.total)
    throw new Error(`accounting broken under ${strategy}: ${JSON.stringify(s)}`);
  await system.shutdown({ timeoutMs: 1000 });
}
clearInterval(keepAlive);
