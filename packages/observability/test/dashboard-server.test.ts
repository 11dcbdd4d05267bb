/**
 * serveDashboard over node:http (no browser): what it serves, who it lets in, and what it costs
 * while nobody looks. The browser itself is driven in dashboard-browser.test.ts.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { serveDashboard } from '@troupe/observability';
import { type ActorSystem, createSystem, defineActor, isConfigError } from '@troupe/runtime';
import { afterEach, describe, expect, it } from 'vitest';

const Work = defineActor('dash.work', {
  init: () => 0,
  receive: (s: number, _m: { type: 'w' }) => s + 1,
});

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; path?: string } = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: opts.path ?? `${u.pathname}${u.search}`,
        method: opts.method ?? 'GET',
        headers: opts.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens GET /events and resolves once the first frames (hello, snapshot) arrived. */
function openStream(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; first: string; close(): void; frames: string[] }>(
    (resolve, reject) => {
      const u = new URL('/events', url);
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers }, (res) => {
        const frames: string[] = [];
        let buf = '';
        let done = false;
        res.setEncoding('utf8');
        const out = { status: res.statusCode ?? 0, first: '', frames, close: () => req.destroy() };
        if (res.statusCode !== 200) {
          res.on('data', (d: string) => {
            out.first += d;
          });
          res.on('end', () => resolve(out));
          return;
        }
        res.on('data', (d: string) => {
          buf += d;
          let i = buf.indexOf('\n\n');
          while (i >= 0) {
            frames.push(buf.slice(0, i));
            buf = buf.slice(i + 2);
            i = buf.indexOf('\n\n');
          }
          if (!done && frames.length >= 2) {
            done = true;
            out.first = frames.slice(0, 2).join('\n\n');
            resolve(out);
          }
        });
      });
      req.on('error', (e) => {
        if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e);
      });
      req.end();
    },
  );
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
};

let system: ActorSystem | null = null;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await system?.shutdown();
  system = null;
});

async function serve(opts: Parameters<typeof serveDashboard>[1] = {}) {
  system = await createSystem({});
  const d = await serveDashboard(system, { port: 0, log: false, ...opts });
  closers.push(() => d.close());
  return d;
}

describe('serveDashboard', () => {
  it('serves the page, its assets and their dependencies from the package, and a JSON snapshot', async () => {
    const d = await serve();
    expect(d.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(d.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('/assets/app.js');
    for (const p of [
      '/assets/app.js',
      '/assets/style.css',
      '/vendor/preact.js',
      '/vendor/htm.js',
      '/vendor/uplot.js',
    ]) {
      const r = await get(new URL(p, d.url).href);
      expect(r.status, p).toBe(200);
      expect(r.body.length, p).toBeGreaterThan(100);
    }
    const w = system!.spawnSync(Work, undefined, { name: 'worker-1' });
    for (let i = 0; i < 5; i++) w.tell({ type: 'w' });
    await until(() => system!.stats().processed === 5, 'five messages');
    const snap = JSON.parse((await get(new URL('/snapshot', d.url).href)).body);
    expect(snap.hello).toMatchObject({ version: 1, source: 'live' });
    expect(snap.tick.totals).toMatchObject({ actors: 1 });
    expect(snap.actors.rows.map((r: { name: string }) => r.name)).toContain('worker-1');
  });

  it('answers bad requests with a clear status and reason, and serves nothing outside its list', async () => {
    const d = await serve();
    const post = await get(d.url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(JSON.parse(post.body).error).toMatch(/only answers GET/);
    const traversal = await get(d.url, { path: '/assets/../../package.json' });
    expect(traversal.status).toBe(404);
    const missing = await get(new URL('/nope', d.url).href);
    expect(missing.status).toBe(404);
    const badSort = await get(new URL('/api/actors?sort=evil', d.url).href);
    expect(badSort.status).toBe(400);
    expect(JSON.parse(badSort.body).error).toMatch(/sort must be one of/);
    const badId = await get(new URL('/api/actors/abc', d.url).href);
    expect(badId.status).toBe(400);
    const unknown = await get(new URL('/api/actors/999999', d.url).href);
    expect(unknown.status).toBe(404);
  });

  it('turns per-message events on only while a client streams, and refuses clients past maxClients', async () => {
    const d = await serve({ maxClients: 2 });
    const events = system!.host.events;
    expect(events.hasListeners).toBe(true); // lifecycle events, always
    expect(events.perMessage).toBe(false);
    const a = await openStream(d.url);
    expect(a.status).toBe(200);
    expect(a.first).toMatch(/^event: hello\ndata: /);
    expect(a.first).toMatch(/event: snapshot\ndata: /);
    expect(events.perMessage).toBe(true);
    const b = await openStream(d.url);
    const c = await openStream(d.url);
    expect(c.status).toBe(503);
    expect(JSON.parse(c.first).error).toMatch(/too many dashboard clients \(at most 2\)/);
    expect(d.clients).toBe(2);
    a.close();
    b.close();
    await until(() => d.clients === 0, 'the clients to leave');
    expect(events.perMessage).toBe(false);
  });

  it('bound beyond loopback it requires a token of 16+ characters and checks it on every request', async () => {
    system = await createSystem({});
    const noToken = serveDashboard(system, { port: 0, host: '0.0.0.0', log: false });
    await expect(noToken).rejects.toSatisfy(
      (e: unknown) => isConfigError(e) && e.context.path === 'serveDashboard(options).token',
    );
    await expect(
      serveDashboard(system, { port: 0, host: '0.0.0.0', token: 'short', log: false }),
    ).rejects.toThrow(/at least 16 characters/);
    const lines: string[] = [];
    const token = 'a-long-enough-secret-token';
    const d = await serveDashboard(system, { port: 0, host: '0.0.0.0', token, log: (l) => lines.push(l) });
    closers.push(() => d.close());
    expect(lines.join('\n')).toMatch(/token required/);
    const local = `http://127.0.0.1:${d.port}`;
    expect((await get(`${local}/snapshot`)).status).toBe(401);
    expect(
      (await get(`${local}/snapshot`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } }))
        .status,
    ).toBe(401);
    expect((await get(`${local}/`)).status).toBe(401);
    expect((await openStream(local)).status).toBe(401);
    expect((await get(`${local}/snapshot`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
    const viaQuery = await get(`${local}/?token=${token}`);
    expect(viaQuery.status).toBe(200);
    const cookie = String(viaQuery.headers['set-cookie']).split(';')[0]!;
    expect((await get(`${local}/snapshot`, { headers: { cookie } })).status).toBe(200);
    const s = await openStream(local, { authorization: `Bearer ${token}` });
    expect(s.status).toBe(200);
    s.close();
  });

  it('rejects bad options with a ConfigError naming the option', async () => {
    system = await createSystem({});
    for (const [opts, path] of [
      [{ port: -1 }, 'serveDashboard(options).port'],
      [{ port: 1.5 }, 'serveDashboard(options).port'],
      [{ maxClients: 0 }, 'serveDashboard(options).maxClients'],
      [{ prot: 1 }, 'serveDashboard(options).prot'],
    ] as const)
      await expect(serveDashboard(system, opts as never)).rejects.toSatisfy(
        (e: unknown) => isConfigError(e) && e.context.path === path,
      );
  });

  it('troupe dashboard --attach serves another process’s dashboard: same snapshot, same stream', async () => {
    const upstream = await serve();
    const w = system!.spawnSync(Work, undefined, { name: 'far-away' });
    for (let i = 0; i < 7; i++) w.tell({ type: 'w' });
    await until(() => system!.stats().processed === 7, 'seven messages');
    const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--conditions=@troupe/source',
        '--import',
        'tsx',
        cli,
        'dashboard',
        '--attach',
        upstream.url,
        '--port',
        '0',
      ],
      { cwd: fileURLToPath(new URL('../../../', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    closers.push(async () => {
      child.kill('SIGTERM');
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
    });
    // Its start line: troupe dashboard (attached to <upstream>): <its own URL> — …
    const started = /\): (http:\/\/127\.0\.0\.1:\d+\/)/;
    await until(() => started.test(out), 'the attached dashboard to start');
    expect(out).toMatch(/attached to http:\/\/127\.0\.0\.1/);
    const local = started.exec(out)![1]!;
    expect(local).not.toBe(upstream.url);
    const page = await get(local);
    expect(page.status).toBe(200);
    expect(page.body).toContain('/assets/app.js');
    const snap = JSON.parse((await get(new URL('/snapshot', local).href)).body);
    expect(snap.tick.totals).toMatchObject({ processed: 7, actors: 1 });
    expect(snap.actors.rows.map((r: { name: string }) => r.name)).toEqual(['far-away']);
    const s = await openStream(local);
    expect(s.status).toBe(200);
    expect(s.first).toMatch(/^event: hello\n/);
    await until(() => upstream.clients === 1, 'the stream to reach the upstream dashboard');
    s.close();
    await until(() => upstream.clients === 0, 'the upstream stream to end with the client');
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});
