/**
 * The event log, filtered by type: a ring per type (so a flood of one type
 * never pushes the rare ones out), one for everything but per-message events,
 * and a count per type. Events are kept as they came and turned into JSON
 * only when someone reads them, cut at MAX_JSON characters.
 */
import type { AnyTroupeEvent } from '@troupe/runtime';
import { eventToJson } from '../../ndjson.ts';
import type { LogEntry } from '../protocol.ts';
import { Ring } from '../ring.ts';

const PER_TYPE = 100;
const ALL = 500;
/** Types get their own ring up to this many; the rest share OTHER's (types are an open set). */
const MAX_TYPES = 128;
const OTHER = '(other types)';
const MAX_JSON = 4096;

export const PER_MESSAGE = new Set(['message.sent', 'message.received', 'message.processed']);

interface Kept {
  readonly seq: number;
  readonly event: AnyTroupeEvent;
  json?: string;
}

export class EventLog {
  private readonly byType = new Map<string, Ring<Kept>>();
  private readonly all = new Ring<Kept>(ALL);
  readonly counts = new Map<string, number>();
  private seq = 0;

  add(e: AnyTroupeEvent): void {
    const type = typeof e.type === 'string' ? e.type : String((e as { type?: unknown }).type);
    const key = this.byType.has(type) || this.byType.size < MAX_TYPES ? type : OTHER;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let ring = this.byType.get(key);
    if (ring === undefined) this.byType.set(key, (ring = new Ring<Kept>(PER_TYPE)));
    const kept: Kept = { seq: this.seq++, event: e };
    ring.push(kept);
    if (!PER_MESSAGE.has(type)) this.all.push(kept);
  }

  /** The newest `limit` entries of `type` (or of every type but the per-message ones), oldest first. */
  entries(type: string | null, limit: number): LogEntry[] {
    const ring = type === null ? this.all : this.byType.get(type);
    return ring === undefined ? [] : ring.last(limit).map(entry);
  }

  /** Entries past `seq` in the everything-but-per-message ring (a tick sends what is new). */
  since(seq: number, limit: number): LogEntry[] {
    const fresh = this.all.toArray().filter((k) => k.seq >= seq);
    return fresh.slice(-limit).map(entry);
  }

  get next(): number {
    return this.seq;
  }

  types(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

function entry(k: Kept): LogEntry {
  if (k.json === undefined) {
    let json: string;
    try {
      json = eventToJson(k.event);
    } catch (e) {
      json = JSON.stringify({ type: k.event.type, unreadable: String(e) });
    }
    k.json = json.length > MAX_JSON ? `${json.slice(0, MAX_JSON)}…` : json;
  }
  return { seq: k.seq, type: String(k.event.type), at: Number(k.event.at) || 0, json: k.json };
}
