/**
 * The Erlang/OTP peer. Protocol:
 * 1. If `erl` and `erlc` are not on the PATH, the peer is absent (the suite
 *    prints a note and runs without it).
 * 2. bench/erlang/savina_bench.erl is compiled with erlc into a temp dir.
 * 3. One resident node runs for the whole suite, reading one command per
 *    line and timing the work inside the VM, so VM start-up is never counted
 *    and Erlang runs interleave with the other systems like any contender.
 * 4. Schedulers' busy-waiting is switched off (+sbwt none …): an idle Erlang
 *    node must not spin on a core while another system is being measured.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ErlangPeer } from './types.ts';

export interface StartedErlang extends ErlangPeer {
  readonly version: string;
  close(): void;
}

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function startErlang(): Promise<StartedErlang | string> {
  if (!onPath('erl') || !onPath('erlc')) return 'erl not on PATH: Erlang peer skipped';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'troupe-bench-erl-'));
  const src = fileURLToPath(new URL('../erlang/savina_bench.erl', import.meta.url));
  try {
    execFileSync('erlc', ['-o', dir, src], { stdio: 'pipe' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return `erlc failed: ${(e as { stderr?: Buffer }).stderr?.toString() ?? String(e)}`;
  }
  const child: ChildProcessWithoutNullStreams = spawn(
    'erl',
    [
      '-noshell',
      '+sbwt',
      'none',
      '+sbwtdcpu',
      'none',
      '+sbwtdio',
      'none',
      '-pa',
      dir,
      '-s',
      'savina_bench',
      'main',
    ],
    { stdio: 'pipe' },
  );
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  const early: string[] = [];
  let exited: Error | null = null;
  lines.on('line', (l) => {
    const w = waiting.shift();
    if (w) w.resolve(l);
    else early.push(l);
  });
  child.on('exit', (code) => {
    exited = new Error(`erl exited (${code})`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const l = early.shift();
      if (l !== undefined) return resolve(l);
      if (exited) return reject(exited);
      waiting.push({ resolve, reject });
    });
  const ready = await next();
  const m = /^ready (\S+) (\S+) (\d+)$/.exec(ready);
  if (!m) {
    child.kill();
    return `unexpected greeting from erl: ${ready}`;
  }
  let chain = Promise.resolve();
  return {
    version: `OTP ${m[1]} (erts ${m[2]})`,
    mode: `OTP ${m[1]}, ${m[3]} schedulers`,
    call(fun, args) {
      const p = chain.then(async () => {
        child.stdin.write(`${fun} ${args.join(' ')}\n`);
        const line = await next();
        const ok = /^ok (\d+) (-?\d+)$/.exec(line);
        if (!ok) throw new Error(`erlang ${fun}: ${line}`);
        return { micros: Number(ok[1]), check: Number(ok[2]) };
      });
      chain = p.then(
        () => undefined,
        () => undefined,
      );
      return p;
    },
    close() {
      child.stdin.end();
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
