/**
 * `troupe top`: a dashboard's stream in the terminal.
 *
 * 1. It reads a dashboard server's GET /events (client.ts), and for the actors
 *    table GET /api/actors in the chosen sort after each tick. In-process
 *    (`top(system)`) it first serves a loopback dashboard of its own, so both
 *    ways read the same stream.
 * 2. On a TTY: the alternate screen, redrawn in place on each tick; keys
 *    `q` (or Ctrl-C) quit, `p` pauses, `s` cycles the sort. `NO_COLOR` (any
 *    value) turns colour off.
 * 3. Without a TTY: one NDJSON line per tick (renderTop's data), for scripts.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ActorSystem } from '@troupe/runtime';
import { streamTicks } from '../dashboard/client.ts';
import type { ActorPage, ActorSort } from '../dashboard/protocol.ts';
import { serveDashboard } from '../dashboard/server.ts';
import { renderTop, type Screen, snapshotLine, TOP_SORTS } from './render.ts';

export interface TopIO {
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
}

export interface TopOptions {
  /** Bearer token of the dashboard attached to. */
  readonly token?: string | null;
  /** Stop after this many ticks (NDJSON mode; default: until the stream ends). */
  readonly ticks?: number;
  readonly io?: TopIO;
}

export interface TopHandle {
  /** Resolves when top has quit (q, the stream ended, or `stop()`), with why. */
  readonly done: Promise<string>;
  stop(): void;
}

/** Top of this process's own system: a loopback dashboard, then `attachTop`. */
export async function top(system: ActorSystem, options: TopOptions = {}): Promise<TopHandle> {
  const d = await serveDashboard(system, { port: 0, log: false, maxClients: 4 });
  const h = attachTop(new URL(d.url), options);
  void h.done.finally(() => d.close());
  return h;
}

/** Top of the dashboard at `base` (another process, or this one's). */
export function attachTop(base: URL, options: TopOptions = {}): TopHandle {
  const io = options.io ?? { input: process.stdin, output: process.stdout, env: process.env };
  const out = io.output;
  const tty = out.isTTY === true;
  const color = tty && io.env.NO_COLOR === undefined;
  const token = options.token ?? null;
  let screen: Screen = {
    hello: null,
    tick: null,
    actors: null,
    sort: TOP_SORTS[0]!,
    paused: false,
    source: base.origin,
    problem: null,
  };
  let ticks = 0;
  let finish: (why: string) => void = () => {};
  const done = new Promise<string>((r) => {
    finish = r;
  });
  let over = false;

  const draw = () => {
    if (!tty || over) return;
    const lines = renderTop(screen, { width: out.columns ?? 100, height: out.rows ?? 30, color });
    out.write(`\u001b[H${lines.map((l) => `${l}\u001b[K`).join('\r\n')}\u001b[J`);
  };

  const fetchActors = (sort: ActorSort) => {
    const u = new URL(`/api/actors?sort=${sort}&dir=desc&limit=50`, base);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      { headers: token !== null ? { authorization: `Bearer ${token}` } : {}, timeout: 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (body.length < 4 << 20) body += d;
        });
        res.on('end', () => {
          if (res.statusCode !== 200 || over) return;
          try {
            const page = JSON.parse(body) as ActorPage;
            if (sort === screen.sort && !screen.paused) {
              screen = { ...screen, actors: page };
              draw();
            }
          } catch {
            // a page that does not parse: keep the last one
          }
        });
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => {});
    req.end();
  };

  const stream = streamTicks(base, token, {
    hello: (h) => {
      screen = { ...screen, hello: h, problem: null };
    },
    snapshot: (s) => onTick(s.tick),
    tick: (t) => onTick(t),
    end: (reason) => quit(reason),
  });

  function onTick(t: Screen['tick']): void {
    if (screen.paused) return;
    screen = { ...screen, tick: t };
    ticks++;
    if (tty) {
      draw();
      fetchActors(screen.sort);
    } else {
      out.write(snapshotLine(screen));
      if (options.ticks !== undefined && ticks >= options.ticks) quit('done');
    }
  }

  const onKey = (data: Buffer | string) => {
    const k = String(data);
    if (k === 'q' || k === '\u0003') quit('quit');
    else if (k === 'p') {
      screen = { ...screen, paused: !screen.paused };
      draw();
    } else if (k === 's') {
      const i = TOP_SORTS.indexOf(screen.sort);
      screen = { ...screen, sort: TOP_SORTS[(i + 1) % TOP_SORTS.length]!, actors: null };
      draw();
      fetchActors(screen.sort);
    }
  };

  const raw = tty && io.input.isTTY === true;
  if (tty) {
    out.write('\u001b[?1049h\u001b[?25l');
    draw();
  }
  if (raw) {
    io.input.setRawMode(true);
    io.input.resume();
    io.input.on('data', onKey);
  }
  const onResize = () => draw();
  if (tty) out.on('resize', onResize);

  function quit(why: string): void {
    if (over) return;
    over = true;
    stream.close();
    if (raw) {
      io.input.off('data', onKey);
      io.input.setRawMode(false);
      io.input.pause();
    }
    if (tty) {
      out.off('resize', onResize);
      out.write('\u001b[?25h\u001b[?1049l');
    }
    finish(why);
  }

  return { done, stop: () => quit('stopped') };
}
