/**
 * `troupe top` in a real terminal: tmux runs the CLI attached to a dashboard this test serves
 * over a threaded system under load; capture-pane reads the screen, send-keys presses keys.
 * Without a TTY the same command prints NDJSON snapshots.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DashboardServer, serveDashboard } from '@troupe/observability';
import { type ActorSystem, createSystem } from '@troupe/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../../test/support/require-binary.ts';
import { Busy } from './fixtures/top-actors.ts';

const TMUX = requireBinary('/usr/bin/tmux', 'the `troupe top` terminal tests');
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const NODE = [process.execPath, '--conditions=@troupe/source', '--import', 'tsx', CLI];
const SOCKET = `troupe-top-test-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'troupe-top-'));

const tmux = (...args: string[]) =>
  execFileSync(TMUX!, ['-L', SOCKET, ...args], { encoding: 'utf8', cwd: ROOT });
const pane = (s: string, escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', s);
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

async function screenShows(s: string, re: RegExp, timeout = 20_000): Promise<string> {
  let last = '';
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    last = pane(s);
    if (re.test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the screen never showed ${re}; it shows:\n${last}`);
}

describe.skipIf(TMUX === null)('troupe top', () => {
  let system: ActorSystem;
  let dash: DashboardServer;
  let timer: ReturnType<typeof setInterval>;

  beforeAll(async () => {
    system = await createSystem({
      actors: new URL('./fixtures/top-actors.ts', import.meta.url),
      executors: 2,
    });
    dash = await serveDashboard(system, { port: 0, log: false, title: 'top-test' });
    const refs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        system.spawn(Busy, undefined, { name: `busy-${i}`, placement: 'spread' }),
      ),
    );
    timer = setInterval(() => {
      refs.forEach((r, i) => {
        for (let k = 0; k < (i + 1) * 5; k++) r.tell({ type: 'work', spin: 200 });
      });
    }, 20);
  }, 60_000);

  afterAll(async () => {
    clearInterval(timer);
    try {
      tmux('kill-server');
    } catch {
      // no server left: every session ended
    }
    await dash?.close();
    await system?.shutdown();
    rmSync(work, { recursive: true, force: true });
  });

  // The shell in the pane writes top's exit status to a file (tmux's #{pane_dead_status} is not
  // always filled in); remain-on-exit keeps the pane to be read after top quits.
  const statusFile = (name: string) => join(work, `${name}.status`);
  const start = (name: string, env = '') => {
    const cmd = `${env} ${NODE.map(quote).join(' ')} top --attach ${dash.url}; echo $? > ${quote(statusFile(name))}`;
    tmux(
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      '120',
      '-y',
      '40',
      ';',
      'set-option',
      '-t',
      name,
      'remain-on-exit',
      'on',
      ';',
      'respawn-pane',
      '-k',
      '-t',
      name,
      cmd,
    );
  };
  const exitStatus = async (name: string) => {
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      if (existsSync(statusFile(name))) {
        const text = readFileSync(statusFile(name), 'utf8').trim();
        if (text !== '') return Number(text);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`top did not exit; the screen shows:\n${pane(name)}`);
  };

  it('shows the executors and the busiest actors, cycles the sort on s, pauses on p and quits on q', async () => {
    start('main');
    const first = await screenShows('main', /EXECUTORS \(2\)[\s\S]*E2[\s\S]*ACTORS by msg\/s[\s\S]*busy-\d/);
    expect(first).toMatch(/troupe top — top-test/);
    expect(first).toMatch(/^\s+E1\s+\d+\s+\d+%/m);
    // The busiest actor is busy-5 (six times busy-0's load): first under msg/s.
    await screenShows('main', /ACTORS by msg\/s[^\n]*\n[^\n]*\n[^\n]*busy-5/);
    tmux('send-keys', '-t', 'main', 's');
    await screenShows('main', /ACTORS by processed/);
    tmux('send-keys', '-t', 'main', 's');
    await screenShows('main', /ACTORS by mailbox/);
    tmux('send-keys', '-t', 'main', 'p');
    await screenShows('main', /PAUSED/);
    tmux('send-keys', '-t', 'main', 'p');
    await screenShows('main', /live/);
    tmux('send-keys', '-t', 'main', 'q');
    expect(await exitStatus('main')).toBe(0);
    // The alternate screen is gone: top leaves the terminal as it found it.
    expect(pane('main')).not.toMatch(/EXECUTORS/);
  }, 60_000);

  it('colours only without NO_COLOR', async () => {
    start('color');
    await screenShows('color', /EXECUTORS \(2\)/);
    expect(pane('color', true)).toContain('\u001b[1m');
    tmux('send-keys', '-t', 'color', 'q');
    start('plain', 'NO_COLOR=1');
    await screenShows('plain', /EXECUTORS \(2\)/);
    const plain = pane('plain', true);
    for (const sgr of ['\u001b[1m', '\u001b[2m', '\u001b[7m', '\u001b[31m']) expect(plain).not.toContain(sgr);
    tmux('send-keys', '-t', 'plain', 'q');
    expect(await exitStatus('color')).toBe(0);
    expect(await exitStatus('plain')).toBe(0);
  }, 60_000);

  it('without a TTY prints one NDJSON snapshot a tick', async () => {
    const child = spawn(NODE[0]!, [...NODE.slice(1), 'top', '--attach', dash.url], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts);
    });
    await expect.poll(() => lines.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    child.kill();
    const snaps = lines.map((l) => JSON.parse(l));
    for (const s of snaps) {
      expect(s.type).toBe('troupe.top');
      expect(s.executors).toHaveLength(2);
      expect(s.totals.processed).toBeGreaterThan(0);
    }
    expect(snaps[2].totals.processed).toBeGreaterThan(snaps[0].totals.processed);
    expect(snaps.at(-1).actors.map((a: { name: string }) => a.name)).toContain('busy-5');
  }, 60_000);

  it('says what was wrong with a bad argument or an unreachable dashboard', () => {
    const run = (...args: string[]) => {
      try {
        execFileSync(NODE[0]!, [...NODE.slice(1), ...args], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
        return { code: 0, err: '' };
      } catch (e) {
        const x = e as { status: number; stderr: string };
        return { code: x.status, err: x.stderr };
      }
    };
    const bad = run('top', '--atach', dash.url);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown argument "--atach"/);
    const url = run('top', '--attach', 'ftp://x');
    expect(url.code).toBe(2);
    expect(url.err).toMatch(/an http\(s\) URL/);
    const gone = run('top', '--attach', 'http://127.0.0.1:9');
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  }, 60_000);
});
