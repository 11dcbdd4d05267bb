#!/usr/bin/env node
/**
 * The `troupe` command of @troupe/observability:
 *
 *   troupe top [--attach URL] [--token T]        the dashboard's stream in the terminal
 *   troupe dashboard --attach URL [--port N] [--host H] [--token T] [--upstream-token T]
 *                                                a local dashboard of another process
 *
 * A program shows its own with one line, `await serveDashboard(system)` (port 7070 on
 * loopback), which `troupe top` attaches to by default. Tokens may also come from
 * TROUPE_DASHBOARD_TOKEN. A bad argument prints what was wrong and the usage, exit 2.
 */
import { existsSync } from 'node:fs';
import { isConfigError } from '@troupe/runtime';
import { attachUrl, UpstreamProxy } from '../dashboard/proxy.ts';
import { serveRecording } from '../dashboard/replay-server.ts';
import { DEFAULT_PORT, listen, resolveDashboardOptions } from '../dashboard/server.ts';
import { attachTop } from '../top/top.ts';

const USAGE = `usage:
  troupe top [--attach URL] [--token TOKEN]
      URL defaults to http://127.0.0.1:${DEFAULT_PORT} (serveDashboard's default)
  troupe dashboard --attach URL [--port N] [--host HOST] [--token TOKEN] [--upstream-token TOKEN]
      serves a dashboard on this machine whose data comes from URL (another process's dashboard)
  troupe dashboard --replay FILE [--speed N] [--port N] [--host HOST] [--token TOKEN]
      serves the dashboard of a recording (record()); speed 0 (default): as fast as possible
tokens default to $TROUPE_DASHBOARD_TOKEN`;

class UsageError extends Error {}

function parseArgs(argv: readonly string[], known: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!name.startsWith('--') || !known.includes(name.slice(2)))
      throw new UsageError(
        `unknown argument ${JSON.stringify(a)}; expected one of ${known.map((k) => `--${k}`).join(', ')}`,
      );
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    out.set(name.slice(2), value);
  }
  return out;
}

async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const envToken = process.env.TROUPE_DASHBOARD_TOKEN || null;
  if (cmd === 'top') {
    const a = parseArgs(rest, ['attach', 'token']);
    const base = attachUrl(a.get('attach') ?? `http://127.0.0.1:${DEFAULT_PORT}`, '--attach');
    const why = await attachTop(base, { token: a.get('token') ?? envToken }).done;
    if (why !== 'quit' && why !== 'done') {
      process.stderr.write(`troupe top: ${why}\n`);
      return 1;
    }
    return 0;
  }
  if (cmd === 'dashboard') {
    const a = parseArgs(rest, ['attach', 'replay', 'speed', 'port', 'host', 'token', 'upstream-token']);
    const target = a.get('attach');
    const file = a.get('replay');
    if ((target === undefined) === (file === undefined))
      throw new UsageError(
        'troupe dashboard needs --attach URL or --replay FILE, one of them (in a program, call serveDashboard(system))',
      );
    const port = a.has('port') ? Number(a.get('port')) : undefined;
    if (file !== undefined) {
      if (!existsSync(file)) throw new UsageError(`--replay: no such file ${JSON.stringify(file)}`);
      const server = await serveRecording(file, {
        port,
        host: a.get('host'),
        token: a.get('token') ?? envToken ?? undefined,
        speed: a.has('speed') ? Number(a.get('speed')) : 0,
      });
      return serveUntilSignal(server);
    }
    const o = resolveDashboardOptions(
      { port, host: a.get('host'), token: a.get('token') ?? envToken ?? undefined, title: target },
      'troupe dashboard',
    );
    const proxy = new UpstreamProxy(attachUrl(target, '--attach'), a.get('upstream-token') ?? envToken);
    return serveUntilSignal(await listen(o, { proxy }, `attached to ${target}`));
  }
  throw new UsageError(cmd === undefined ? 'a command is needed' : `unknown command ${JSON.stringify(cmd)}`);
}

/** The CLI's server is the whole process: it serves until SIGINT or SIGTERM, then closes. */
async function serveUntilSignal(server: { close(): Promise<void> }): Promise<number> {
  const keep = setInterval(() => {}, 1 << 30);
  await new Promise<void>((resolve) => {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => resolve());
  });
  clearInterval(keep);
  await server.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError || isConfigError(e)) {
      process.stderr.write(`troupe: ${(e as Error).message}\n${USAGE}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`troupe: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
