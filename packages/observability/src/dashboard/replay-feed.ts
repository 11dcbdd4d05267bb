/**
 * The dashboard of a recording: the same model fed from `replay()`'s stream.
 * Chart seconds follow the events' own clock (`at`), so a recording replayed
 * as fast as possible draws the minutes it recorded; totals are counted from
 * the events (a recording has no counters to ask). A stream that fails (a
 * truncated or corrupt file) keeps what it gave and says why on the page.
 */
import type { AnyTroupeEvent } from '@troupe/runtime';
import type { Observable, Subscription } from 'rxjs';
import type { Feed } from './feed.ts';
import { Model, type ModelOptions } from './model/model.ts';
import { HISTORY } from './model/series.ts';
import type { Hello, Point, Tick } from './protocol.ts';

export class ReplayFeed implements Feed {
  readonly hello: Hello;
  readonly model: Model;
  onSecond: (() => void) | null = null;
  /** Why the stream stopped early, for the page; null while it is fine. */
  notice: string | null = null;
  done = false;
  private readonly sub: Subscription;
  private second: number | null = null;
  private lastPoint: Point | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(events$: Observable<AnyTroupeEvent>, name: string, options: ModelOptions = {}) {
    this.model = new Model(options);
    this.hello = {
      version: 1,
      source: 'replay',
      startedAt: Date.now(),
      pid: process.pid,
      executors: null,
      title: name,
    };
    this.sub = events$.subscribe({
      next: (e) => this.event(e),
      error: (err: unknown) => {
        this.notice = `the recording could not be read to the end: ${(err as Error)?.message ?? String(err)}`;
        this.finish();
      },
      complete: () => this.finish(),
    });
  }

  private event(e: AnyTroupeEvent): void {
    const at = typeof e?.at === 'number' && Number.isFinite(e.at) ? e.at : null;
    if (at !== null) {
      const s = Math.floor(at / 1000);
      if (this.second === null) this.second = s;
      else if (s > this.second) {
        // Close every second up to this one (a long silence: at most a chart's worth).
        const from = Math.max(this.second, s - HISTORY);
        for (let t = from; t < s; t++) this.lastPoint = this.model.closeSecond(t, null);
        this.second = s;
      }
    }
    // replay() reports a bad line or a file cut short as events of its own (observability.replay-*).
    const type = (e as { type?: unknown })?.type;
    if (
      typeof type === 'string' &&
      (type.startsWith('observability.replay-') || type.startsWith('recording.'))
    )
      this.notice ??= `${type}: ${noticeText(e)}`;
    this.model.apply(e);
  }

  private finish(): void {
    this.done = true;
    if (this.second !== null) {
      this.lastPoint = this.model.closeSecond(this.second, null);
      this.second = null;
    }
  }

  watch(on: boolean): void {
    if (on && this.timer === null) {
      this.timer = setInterval(() => this.onSecond?.(), 1000);
      this.timer.unref();
    } else if (!on && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  tick(clients: number, fresh: boolean): Tick {
    return {
      ...this.model.tick(
        {
          at: Date.now(),
          totals: this.model.derivedTotals(),
          point: this.lastPoint,
          graph: null,
          clients,
          sampling: 1,
        },
        fresh,
      ),
      notice: this.notice ?? (this.done ? null : 'replaying…'),
    };
  }

  close(): void {
    this.watch(false);
    this.sub.unsubscribe();
  }
}

/** What a replay problem event says, short: its error's message where it has one. */
function noticeText(e: unknown): string {
  const err = (e as { error?: { message?: unknown } })?.error;
  if (typeof err?.message === 'string') return err.message.slice(0, 300);
  try {
    return JSON.stringify(e).slice(0, 300);
  } catch {
    return 'unreadable';
  }
}
