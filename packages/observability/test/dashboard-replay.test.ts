/**
 * `troupe dashboard --replay file` / serveRecording: a workload recorded with record(), replayed
 * into the dashboard, shows the totals the live system counted; a recording cut short says so.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { record, serveRecording } from '@troupe/observability';
import { createSystem, defineActor } from '@troupe/runtime';
import { afterAll, describe, expect, it } from 'vitest';

const Work = defineActor('replay.dash.work', {
  init: () => 0,
  receive(n: number, m: { type: 'w' | 'boom' }) {
    if (m.type === 'boom') throw new Error('boom on purpose');
    return n + 1;
  },
});

const dir = mkdtempSync(join(tmpdir(), 'troupe-dash-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const getJson = (url: string) =>
  new Promise<{ status: number; body: any }>((resolve, reject) => {
    request(url, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        b += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(b) }));
    })
      .on('error', reject)
      .end();
  });

async function recordWorkload(file: string) {
  const system = await createSystem({});
  const rec = record(system, file);
  const refs = await Promise.all([0, 1, 2].map((i) => system.spawn(Work, undefined, { name: `r${i}` })));
  for (let k = 0; k < 50; k++) for (const r of refs) r.tell({ type: 'w' });
  refs[0]!.tell({ type: 'boom' });
  await expect.poll(() => system.stats().inFlight).toBe(0);
  const live = system.stats();
  await rec.close();
  await system.shutdown();
  return live;
}

describe('the dashboard of a recording', () => {
  it('shows the totals the live system counted', async () => {
    const file = join(dir, 'run.ndjson');
    const live = await recordWorkload(file);
    const d = await serveRecording(file, { port: 0, log: false });
    try {
      await expect
        .poll(async () => (await getJson(new URL('/snapshot', d.url).href)).body.tick.totals, {
          timeout: 10_000,
        })
        .toMatchObject({ processed: live.processed, sent: live.sent, actors: 3, failures: 1 });
      const snap = (await getJson(new URL('/snapshot', d.url).href)).body;
      expect(snap.hello.source).toBe('replay');
      expect(snap.tick.notice).toBeNull();
    } finally {
      await d.close();
    }
  }, 30_000);

  it('troupe dashboard --replay serves it, and a recording cut short says so on the page', async () => {
    const file = join(dir, 'cut.ndjson');
    await recordWorkload(file);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n`); // no trailer: truncated
    const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--conditions=@troupe/source', '--import', 'tsx', cli, 'dashboard', '--replay', file, '--port', '0'],
      { cwd: fileURLToPath(new URL('../../../', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (s: string) => {
        out += s;
      });
      const started = /\): (http:\/\/127\.0\.0\.1:\d+\/)/;
      await expect.poll(() => started.test(out), { timeout: 20_000 }).toBe(true);
      expect(out).toContain('replay of');
      const url = started.exec(out)![1]!;
      await expect
        .poll(async () => (await getJson(new URL('/snapshot', url).href)).body.tick.notice, {
          timeout: 10_000,
        })
        .toMatch(/observability\.replay-truncated/);
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 40_000);
});
