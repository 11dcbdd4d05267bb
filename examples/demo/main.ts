/**
 * The README demo: spawn actors, tell, ask, watch the event stream, read the
 * stats and shut down. Run with `npm start`.
 */
import { createSystem } from '@troupe/runtime';
import { Counter, Door } from './actors.ts';

const system = await createSystem({ actors: new URL('./actors.ts', import.meta.url), executors: 0 });

const lifecycle: string[] = [];
const sub = system.events$.subscribe((e) => {
  if (e.type.startsWith('actor.')) lifecycle.push(e.type);
});

const c = await system.spawn(Counter, { start: 0 }, { name: 'c1' });
for (let i = 0; i < 1000; i++) c.tell({ type: 'inc' });
const n = await c.ask<number>({ type: 'get' }, { timeoutMs: 1000 });
console.log(`counter c1 after 1000 incs: ${n}`);

const door = await system.spawn(Door, undefined, { name: 'front-door' });
const snap = await door.ask<{ value: string }>({ type: 'open' });
console.log(`door after "open": ${snap.value}`);

await system.stop(c);
c.tell({ type: 'inc' }); // goes to dead letters with reason "stopped": nothing is lost silently
console.log('lifecycle events:', lifecycle.join(', '));
console.log('stats:', JSON.stringify(system.stats()));
sub.unsubscribe();
const report = await system.shutdown({ timeoutMs: 5000 });
console.log(`shutdown: stopped ${report.stopped} actors in ${report.durationMs.toFixed(1)} ms`);
