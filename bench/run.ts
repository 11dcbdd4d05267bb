/**
 * The benchmark suite's CLI.
 *
 *   npm run bench                       every workload, reference sizes (a few minutes)
 *   npm run bench -- pingpong counting  some workloads
 *   npm run bench -- --quick            small sizes, one run each: correctness only (CI)
 *   npm run bench -- --json out.json    also write the JSON there
 *
 * Steps:
 * 1. Collect the environment; detect the Troupe executor modes this build
 *    supports; start the Erlang peer when `erl` is on the PATH.
 * 2. Per workload: measure every contender (bench/lib/harness.ts), print a
 *    table, record results and pair-by-pair ratios.
 * 3. Idle-actor memory (full runs).
 * 4. Write JSON (bench/results/<timestamp>.json unless --quick, plus --json);
 *    a full run of every workload rewrites BENCHMARKS.md.
 * A wrong answer or a crash in any contender fails the run (exit 1).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { collectEnv } from './lib/env.ts';
import { type StartedErlang, startErlang } from './lib/erlang.ts';
import { FULL_PLAN, measure, QUICK_PLAN } from './lib/harness.ts';
import { idleActorMemory } from './lib/memory.ts';
import { markdown, type Report, summarize } from './lib/report.ts';
import { closeSystems, detectExecutorModes } from './lib/troupe.ts';
import type { SuiteContext } from './lib/types.ts';
import { workloads } from './workloads/index.ts';

interface Args {
  quick: boolean;
  json: string | null;
  names: string[];
  noErlang: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, json: null, names: [], noErlang: false };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '--quick') a.quick = true;
    else if (x === '--no-erlang') a.noErlang = true;
    else if (x === '--json') {
      const f = argv[++i];
      if (f === undefined) usage('--json needs a file name');
      a.json = f;
    } else if (x === '--help' || x === '-h') usage(null);
    else if (x.startsWith('-')) usage(`unknown option ${x}`);
    else a.names.push(x);
  }
  return a;
}

function usage(error: string | null): never {
  if (error) console.error(`bench: ${error}`);
  console.error(
    `usage: npm run bench -- [--quick] [--json <file>] [--no-erlang] [workload...]\nworkloads: ${workloads.map((w) => w.name).join(' ')}`,
  );
  process.exit(error ? 2 : 0);
}

const suiteStart = performance.now();
const args = parseArgs(process.argv.slice(2));
const unknown = args.names.filter((n) => !workloads.some((w) => w.name === n));
if (unknown.length > 0) usage(`unknown workload ${unknown.join(', ')}`);
const selected = args.names.length === 0 ? workloads : workloads.filter((w) => args.names.includes(w.name));
const tty = process.stderr.isTTY === true;
const notes: string[] = [];
const note = (s: string) => {
  notes.push(s);
  console.log(`note: ${s}`);
};

// Executor threads inherit process.execArgv, and Node refuses V8 flags such as --expose-gc in a
// Worker's execArgv (ERR_WORKER_INVALID_EXEC_ARGV). Only this thread needs the flag (`gc` is
// already installed here), so it is taken out of what executors inherit.
const gcFlag = process.execArgv.indexOf('--expose-gc');
if (gcFlag >= 0) process.execArgv.splice(gcFlag, 1);

const modes = await detectExecutorModes();
if (modes.note) note(modes.note);
let erlang: StartedErlang | null = null;
if (!args.noErlang) {
  const e = await startErlang();
  if (typeof e === 'string') note(e);
  else erlang = e;
}
if ((globalThis as { gc?: unknown }).gc === undefined)
  note('no --expose-gc: runs are not preceded by a full GC and memory figures are skipped');

const env = collectEnv(erlang ? { erlang: erlang.version } : {});
console.log(
  `${env.cpuModel}, ${env.cores} cores, NUMA [${env.numaGroups.join('] [')}], Node ${env.node}, commit ${env.commit}` +
    `${args.quick ? ' — quick mode: small sizes, correctness only' : ''}`,
);
const ctx: SuiteContext = { quick: args.quick, executorModes: modes.modes, erlang };
const report: Report = { env, loadAverageAtEnd: [], notes, results: [], ratios: [], memory: [] };
let failed = false;

for (const w of selected) {
  const p = w.params(args.quick);
  const contenders = w.contenders(p, ctx);
  const label = `${w.title} (${w.describe(p)})`;
  const progress = (done: number, total: number) => {
    if (tty) process.stderr.write(`\r\x1b[K${label}: ${done}/${total} runs`);
  };
  const wStart = performance.now();
  if (tty) process.stderr.write(`${label}: warming up`);
  try {
    const measured = await measure(contenders, args.quick ? QUICK_PLAN : FULL_PLAN, progress);
    if (tty) process.stderr.write('\r\x1b[K');
    const { results, ratios } = summarize(w, p, measured);
    report.results.push(...results);
    report.ratios.push(...ratios);
    console.log(`\n${label} — ${((performance.now() - wStart) / 1000).toFixed(1)} s`);
    for (const r of results) {
      const q = ratios.find((x) => x.troupe === 'in-thread' && x.peer === `${r.system} ${r.mode}`);
      console.log(
        `  ${`${r.system} ${r.mode}`.padEnd(34)} median ${r.medianMs.toFixed(2).padStart(9)} ms` +
          `  ${Math.round(r.throughput).toLocaleString('en-US').padStart(13)} ${w.unit}/s` +
          (q ? `   troupe ÷ this ${q.ratio.toFixed(2)}×` : '') +
          (r.details ? `\n    ${r.details}` : ''),
      );
    }
  } catch (e) {
    if (tty) process.stderr.write('\r\x1b[K');
    failed = true;
    console.error(`\n${label}: FAILED — ${(e as Error).stack ?? e}`);
  }
  for (const c of contenders) await c.close?.();
}

await closeSystems();

if (!failed && args.names.length === 0) {
  const mem = await idleActorMemory(args.quick ? 2_000 : 100_000, erlang);
  if (typeof mem === 'string') note(mem);
  else {
    report.memory = mem;
    console.log('\nretained heap per idle actor');
    for (const m of mem)
      console.log(`  ${`${m.system} ${m.mode}`.padEnd(34)} ${Math.round(m.bytesPerIdleActor)} bytes`);
  }
}
erlang?.close();

report.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
const command = `npm run bench${args.quick ? ' -- --quick' : ''}`;
const json = JSON.stringify(report, null, 2);
const outFiles: string[] = [];
if (!args.quick) {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${env.date.replace(/[:.]/g, '-')}.json`, dir);
  writeFileSync(file, json);
  outFiles.push(file.pathname);
}
if (args.json) {
  writeFileSync(args.json, json);
  outFiles.push(args.json);
}
if (!failed && !args.quick && args.names.length === 0) {
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), markdown(report, workloads, command));
  outFiles.push('BENCHMARKS.md');
}
if (outFiles.length > 0) console.log(`\nwrote ${outFiles.join(', ')}`);
console.log(`\nsuite time ${((performance.now() - suiteStart) / 1000).toFixed(1)} s`);
if (failed) {
  console.error('\nbench: FAILED (see above)');
  process.exit(1);
}
// Executor threads or timers of a peer must not keep a finished suite alive.
process.exit(0);
