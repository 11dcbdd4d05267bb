/**
 * Recording and replay: the file format (header, events, trailer, parts,
 * gzip), backpressure with a bounded queue and a dropped count, the shutdown
 * report as the last event, failures as events, and replay giving back the
 * same typed stream — corrupt and truncated files included.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { record, replay } from '@troupe/observability';
import { type AnyTroupeEvent, createSystem, isRecordingError } from '@troupe/runtime';
import { firstValueFrom, lastValueFrom, Subject, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { eventLine } from '../src/recording/format.ts';
import { Worker } from './fixtures/metrics-actors.ts';

const actors = new URL('./fixtures/metrics-actors.ts', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'troupe-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tmp = (name: string) => join(dir, `${n++}-${name}`);

const lines = (file: string): Array<Record<string, any>> => {
  const raw = readFileSync(file);
  const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString() : raw.toString();
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
};

const all = (file: string, options = {}) => lastValueFrom(replay(file, options).pipe(toArray()));

describe('record', () => {
  it('header, every event, the shutdown report last, a trailer; replay gives the same stream back', async () => {
    const file = tmp('run.ndjson');
    const system = await createSystem({ actors, deadLetters: { log: false } });
    const live: AnyTroupeEvent[] = [];
    system.events$.subscribe((e) => live.push(e));
    const rec = record(system, file);
    const w = await system.spawn(Worker, undefined);
    for (let i = 0; i < 3; i++) w.tell({ type: 'work' });
    w.tell({ type: 'boom' });
    await w.ask({ type: 'count' });
    const report = await system.shutdown();
    const summary = await rec.closed;
    expect(summary).toMatchObject({ files: [file], dropped: 0, error: null });

    const ls = lines(file);
    expect(ls[0]).toMatchObject({ type: 'troupe.recording', version: 1, pid: process.pid, part: 0 });
    expect(ls[0]!.system).toMatchObject({
      executors: 0,
      definitions: expect.arrayContaining(['obs-worker']),
    });
    const end = ls.at(-1)!;
    expect(end).toMatchObject({ type: 'troupe.recording.end', events: ls.length - 2, dropped: 0 });
    expect(end.next).toBeUndefined();
    expect(summary.events).toBe(ls.length - 2);
    // The shutdown report is in the file: the last event.
    expect(ls.at(-2)).toMatchObject({ type: 'shutdown.completed', report: { outcome: report.outcome } });
    expect(ls.some((l) => l.type === 'shutdown.phase-completed' && l.phase === 'flush')).toBe(true);

    const back = await all(file);
    expect(back.map((e) => eventLine(e))).toEqual(live.map((e) => eventLine(e)));
    const failed = back.find((e) => e.type === 'actor.failed')! as { error: unknown };
    expect(failed.error).toBeInstanceOf(Error);
    expect(failed.error).toMatchObject({ message: 'boom on purpose' });
    const filtered = await all(file, { filter: (e: AnyTroupeEvent) => e.type === 'message.processed' });
    expect(filtered).toHaveLength(4); // 3 work + 1 count
  });

  it('gzip and parts: every part a gzip file with a header and a trailer naming the next; replay reads them all', async () => {
    const file = tmp('parts.ndjson.gz');
    const source = new Subject<AnyTroupeEvent>();
    const rec = record(source, file, { maxBytes: 2048 });
    const sent: AnyTroupeEvent[] = [];
    for (let i = 0; i < 200; i++) {
      const e = { type: 'actor.spawned', at: i, actor: { id: i, def: 'd' } } as AnyTroupeEvent;
      sent.push(e);
      source.next(e);
    }
    source.complete();
    const s = await rec.closed;
    expect(s.files.length).toBeGreaterThan(3);
    expect(s.files[1]).toBe(file.replace('parts.ndjson.gz', 'parts.1.ndjson.gz'));
    expect(readdirSync(dir).filter((f) => f.includes('parts.')).length).toBe(s.files.length);
    let before = 0;
    s.files.forEach((f, i) => {
      expect(readFileSync(f).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      const ls = lines(f);
      expect(ls[0]).toMatchObject({ type: 'troupe.recording', part: i, system: null });
      const t = ls.at(-1)!;
      expect(t.type).toBe('troupe.recording.end');
      expect(t.next).toBe(i + 1 < s.files.length ? s.files[i + 1]!.split('/').at(-1) : undefined);
      expect(t.events).toBe(before + ls.length - 2);
      before = t.events;
    });
    expect(before).toBe(200);
    expect(await all(file)).toEqual(sent);
  });

  it("respects the file's backpressure: a bounded queue, the rest dropped and counted in the trailer", async () => {
    const file = tmp('slow.ndjson');
    const source = new Subject<AnyTroupeEvent>();
    const rec = record(source, file, { maxQueued: 100 });
    const N = 50_000;
    // One synchronous burst: the file stream cannot drain before it ends.
    for (let i = 0; i < N; i++)
      source.next({ type: 'actor.spawned', at: i, actor: { id: i, def: 'd' } } as AnyTroupeEvent);
    expect(rec.dropped).toBeGreaterThan(0);
    expect(rec.events).toBeLessThan(N);
    source.complete();
    const s = await rec.closed;
    expect(s.events + s.dropped).toBe(N);
    const ls = lines(file);
    expect(ls.at(-1)).toMatchObject({ type: 'troupe.recording.end', events: s.events, dropped: s.dropped });
    expect(ls.length - 2).toBe(s.events);
    // What was kept is in order, and the queue was at most 100 lines past the stream's own buffer.
    const ids = ls.slice(1, -1).map((l) => l.actor.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids.at(-1)).toBe(s.events - 1);
  });

  it('a file that cannot be written: an event and a log line with a RecordingError; the actors keep running', async () => {
    const warned: string[] = [];
    const system = await createSystem({ actors, logger: { warn: (l: string) => warned.push(l) } });
    const events: AnyTroupeEvent[] = [];
    system.observe({ sampleRate: 0 }).subscribe((e) => events.push(e));
    const rec = record(system, join(dir, 'no-such-dir', 'x.ndjson'));
    const w = await system.spawn(Worker, undefined);
    w.tell({ type: 'work' });
    expect(await w.ask({ type: 'count' })).toBe(1);
    await expect.poll(() => rec.error).not.toBeNull();
    expect(isRecordingError(rec.error)).toBe(true);
    expect(rec.error!.context).toMatchObject({ operation: 'open' });
    const ev = events.find((e) => e.type === 'observability.recording-failed') as Record<string, any>;
    expect(ev.error).toBe(rec.error);
    expect(warned.some((l) => /recording .*x\.ndjson: open failed: .*ENOENT/.test(l))).toBe(true);
    w.tell({ type: 'work' });
    expect(await w.ask({ type: 'count' })).toBe(2);
    const s = await rec.close();
    expect(s.dropped).toBeGreaterThan(0);
    expect(system.stats().processed).toBe(4);
    await system.shutdown();
  });
});

describe('replay', () => {
  const header = JSON.stringify({
    type: 'troupe.recording',
    version: 1,
    startedAt: 0,
    pid: 1,
    part: 0,
    system: null,
  });
  const ev = (i: number) => JSON.stringify({ type: 'actor.spawned', at: i, actor: { id: i, def: 'd' } });

  it('a corrupt line is an event and the replay goes on; a missing trailer ends with replay-truncated', async () => {
    const file = tmp('bad.ndjson');
    writeFileSync(file, `${header}\n${ev(1)}\n{"type":"actor.spa\n${ev(2)}\n`);
    const got = await all(file);
    expect(got.map((e) => e.type)).toEqual([
      'actor.spawned',
      'observability.replay-corrupt',
      'actor.spawned',
      'observability.replay-truncated',
    ]);
    const bad = got[1] as Record<string, any>;
    expect(isRecordingError(bad.error)).toBe(true);
    expect(bad.error.context).toEqual({ file, operation: 'parse', line: 3 });
  });

  it('a truncated gzip part ends with replay-truncated after what could be read', async () => {
    const file = tmp('cut.ndjson.gz');
    const body = [header, ...Array.from({ length: 500 }, (_, i) => ev(i))].join('\n');
    const gz = gzipSync(body);
    writeFileSync(file, gz.subarray(0, gz.length - 30));
    const got = await all(file);
    expect(got.at(-1)!.type).toBe('observability.replay-truncated');
    expect(got.length).toBeGreaterThan(1);
  });

  it('not a recording, a missing file, bad options: typed errors, never a crash', async () => {
    const notRec = tmp('x.ndjson');
    writeFileSync(notRec, `${ev(1)}\n`);
    await expect(firstValueFrom(replay(notRec))).rejects.toMatchObject({
      code: 'recording',
      context: { operation: 'header' },
    });
    const newer = tmp('v2.ndjson');
    writeFileSync(newer, `${header.replace('"version":1', '"version":2')}\n`);
    await expect(firstValueFrom(replay(newer))).rejects.toThrow(/version 2/);
    await expect(firstValueFrom(replay(join(dir, 'missing.ndjson')))).rejects.toMatchObject({
      code: 'recording',
      context: { operation: 'open' },
    });
    expect(() => replay(notRec, { speed: -1 })).toThrow(/speed/);
    expect(() => replay(notRec, { sped: 1 } as never)).toThrow(/sped/);
  });

  it('speed keeps the recorded gaps, scaled', async () => {
    const file = tmp('paced.ndjson');
    const t = JSON.stringify({ type: 'troupe.recording.end', endedAt: 0, events: 2, dropped: 0 });
    writeFileSync(file, `${header}\n${ev(0)}\n${ev(1000)}\n${t}\n`);
    const times: number[] = [];
    await lastValueFrom(replay(file, { speed: 10 }).pipe(toArray())).then(() => undefined);
    const sub = replay(file, { speed: 10 });
    await new Promise<void>((r) => sub.subscribe({ next: () => times.push(performance.now()), complete: r }));
    // 1000 ms recorded at ten times the speed: at least ~100 ms apart (never earlier).
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(95);
  });
});
