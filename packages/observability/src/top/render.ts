/**
 * `troupe top`'s screen as text: a pure function of what the dashboard's
 * stream said (a tick, a page of actors), so a test can read it and the
 * terminal only has to print it. Colour only when asked (`NO_COLOR` is the
 * caller's to honour); every line fits `width`.
 */
import type { ActorPage, ActorRow, ActorSort, ExecutorView, Hello, Tick } from '../dashboard/protocol.ts';

/** What `s` cycles through, in order. */
export const TOP_SORTS: readonly ActorSort[] = ['perSec', 'processed', 'mailbox', 'maxMs', 'restarts'];
const SORT_LABEL: Record<string, string> = {
  perSec: 'msg/s',
  processed: 'processed',
  mailbox: 'mailbox',
  maxMs: 'max handler time',
  restarts: 'restarts',
};

export interface Screen {
  readonly hello: Hello | null;
  readonly tick: Tick | null;
  readonly actors: ActorPage | null;
  readonly sort: ActorSort;
  readonly paused: boolean;
  /** Where the data comes from, e.g. the URL attached to. */
  readonly source: string;
  /** Why the stream is not live, when it is not. */
  readonly problem: string | null;
}

export interface RenderOptions {
  readonly width: number;
  readonly height: number;
  readonly color: boolean;
}

const ESC = '\u001b[';
const bold = (s: string, c: boolean) => (c ? `${ESC}1m${s}${ESC}0m` : s);
const dim = (s: string, c: boolean) => (c ? `${ESC}2m${s}${ESC}0m` : s);
const red = (s: string, c: boolean) => (c ? `${ESC}31m${s}${ESC}0m` : s);
const inverse = (s: string, c: boolean) => (c ? `${ESC}7m${s}${ESC}0m` : s);

export function short(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  if (v < 1) return `${(v * 1000).toFixed(0)}µs`;
  if (v < 1000) return `${v.toFixed(1)}ms`;
  return `${(v / 1000).toFixed(2)}s`;
}

const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));
const padL = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : ' '.repeat(n - s.length) + s);

function bar(x: number, n: number): string {
  const k = Math.max(0, Math.min(n, Math.round((Number.isFinite(x) ? x : 0) * n)));
  return `${'#'.repeat(k)}${'.'.repeat(n - k)}`;
}

/** The screen as lines of plain text (escape codes only with `color`), at most `height` of them. */
export function renderTop(s: Screen, o: RenderOptions): string[] {
  const c = o.color;
  const w = Math.max(40, o.width);
  const out: string[] = [];
  const t = s.tick;
  const title = `troupe top — ${s.hello?.title ?? ''} (${s.source})`;
  const state = s.problem ?? (s.paused ? 'PAUSED' : t === null ? 'connecting…' : 'live');
  out.push(bold(pad(`${title}  ${state}`, w), c));
  if (t === null) {
    out.push(s.problem ? red(s.problem, c) : 'waiting for the first tick…');
    return out.slice(0, o.height);
  }
  const p = t.point;
  const tot = t.totals;
  out.push(
    pad(
      `msg/s ${short(p?.messages)}  p50 ${ms(p?.p50)}  p99 ${ms(p?.p99)}  mailbox ${ms(p?.mailboxMs)}  dead/s ${short(p?.deadLetters)}`,
      w,
    ),
  );
  out.push(
    pad(
      `processed ${short(tot.processed)}  in flight ${short(tot.inFlight)}  actors ${short(tot.actors)}  dead letters ${short(tot.deadLettered)}  restarts ${short(tot.restarts)}  deadlocks ${short(tot.deadlocks)}`,
      w,
    ),
  );
  out.push('');
  out.push(bold(pad(`EXECUTORS (${t.executors.length})`, w), c));
  if (t.executors.length === 0) out.push(dim('  none: every actor runs on the main thread', c));
  else {
    out.push(
      inverse(
        pad(
          `${padL('exec', 5)} ${padL('grp', 3)}  util ${pad('', 12)} ${padL('queue', 6)} ${padL('actors', 6)} ${padL('steal', 6)} ${padL('xgrp', 5)} ${padL('migr', 5)} ${padL('faults', 6)}`,
          w,
        ),
        c,
      ),
    );
    const rows = t.executors.slice(0, Math.max(1, Math.floor((o.height - 10) / 2)));
    for (const e of rows) out.push(pad(executorLine(e), w));
    if (t.executors.length > rows.length) out.push(dim(`  … ${t.executors.length - rows.length} more`, c));
  }
  out.push('');
  const label = SORT_LABEL[s.sort] ?? s.sort;
  out.push(bold(pad(`ACTORS by ${label} (s: sort, p: pause, q: quit)`, w), c));
  out.push(
    inverse(
      pad(
        `${padL('id', 7)} ${pad('name', 18)} ${pad('definition', 18)} ${padL('exec', 4)} ${padL('mbox', 6)} ${padL('msg/s', 7)} ${padL('processed', 9)} ${padL('max', 8)} ${padL('rst', 4)}`,
        w,
      ),
      c,
    ),
  );
  const room = Math.max(1, o.height - out.length - 1);
  const rows = s.actors?.rows ?? t.busiest;
  for (const r of rows.slice(0, room)) out.push(pad(actorLine(r), w));
  if (rows.length === 0) out.push(dim('  no actors', c));
  return out.slice(0, o.height);
}

function executorLine(e: ExecutorView): string {
  return `${padL(`E${e.id}`, 5)} ${padL(String(e.group), 3)}  ${padL(`${Math.round(e.utilization * 100)}%`, 4)} ${bar(e.utilization, 12)} ${padL(short(e.queueDepth), 6)} ${padL(short(e.actors), 6)} ${padL(short(e.stealsOwn), 6)} ${padL(short(e.stealsCross), 5)} ${padL(short(e.migrations), 5)} ${padL(short(e.faults), 6)}`;
}

function actorLine(r: ActorRow): string {
  return `${padL(String(r.id), 7)} ${pad(r.name ?? '', 18)} ${pad(r.def, 18)} ${padL(r.executor === 0 ? 'main' : `E${r.executor}`, 4)} ${padL(short(r.mailbox), 6)} ${padL(short(r.perSec), 7)} ${padL(short(r.processed), 9)} ${padL(ms(r.maxMs), 8)} ${padL(short(r.restarts), 4)}`;
}

/** One NDJSON line of what `top` would show (no TTY): the tick's essentials and the actors' page. */
export function snapshotLine(s: Screen): string {
  const t = s.tick;
  return `${JSON.stringify({
    type: 'troupe.top',
    at: t?.at ?? Date.now(),
    source: s.source,
    totals: t?.totals ?? null,
    point: t?.point ?? null,
    executors: t?.executors.map(({ history: _h, ...e }) => e) ?? [],
    sort: s.sort,
    actors: s.actors?.rows ?? t?.busiest ?? [],
  })}\n`;
}
