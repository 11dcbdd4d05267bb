/**
 * The clients of GET /events (server-sent events). Bounded on every side:
 *
 * 1. At most `maxClients` at once; one more is answered 503 with the reason
 *    (a hundred tabs cost a hundred short answers, not a hundred streams).
 * 2. A client that reads slower than we write (a slow or frozen tab) is
 *    skipped while more than MAX_BUFFERED bytes wait in its socket, and
 *    dropped after STALL_MS of that: its buffer never grows past one frame
 *    over the limit.
 * 3. A client that vanished is removed on its socket's `close`.
 * The hub tells its owner when the first client arrives and the last leaves.
 */
import type { ServerResponse } from 'node:http';

export const MAX_BUFFERED = 1 << 20;
export const STALL_MS = 30_000;

interface Client {
  readonly res: ServerResponse;
  stalledSince: number | null;
}

export class SseHub {
  private readonly clients = new Set<Client>();
  /** Frames not written because a client was behind (a test reads it). */
  skipped = 0;
  dropped = 0;

  constructor(
    readonly maxClients: number,
    private readonly onActive: (active: boolean) => void,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Step 1: takes the response as a stream, or false when full (the caller answers 503). */
  add(res: ServerResponse, first: string): boolean {
    if (this.clients.size >= this.maxClients) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const c: Client = { res, stalledSince: null };
    this.clients.add(c);
    // Step 3.
    res.on('close', () => this.remove(c));
    res.write(first);
    if (this.clients.size === 1) this.onActive(true);
    return true;
  }

  /** Step 2: writes one frame to every client that keeps up. */
  broadcast(frame: string): void {
    const now = Date.now();
    for (const c of this.clients) {
      if (c.res.writableLength > MAX_BUFFERED) {
        this.skipped++;
        c.stalledSince ??= now;
        if (now - c.stalledSince > STALL_MS) {
          this.dropped++;
          c.res.destroy();
          this.remove(c);
        }
        continue;
      }
      c.stalledSince = null;
      c.res.write(frame);
    }
  }

  private remove(c: Client): void {
    if (!this.clients.delete(c)) return;
    if (this.clients.size === 0) this.onActive(false);
  }

  closeAll(): void {
    for (const c of [...this.clients]) {
      c.res.end();
      this.remove(c);
    }
  }
}

/** One server-sent event; `data` is JSON on one line. */
export function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
