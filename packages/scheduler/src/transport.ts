/**
 * Transport: frames between two threads over a MessagePort, batched.
 *
 * Protocol:
 * 1. A sender appends a frame's tokens to the current batch (`out()`); the
 *    first frame of a batch arms a flush as a microtask, so every frame
 *    produced during one synchronous run (a dispatcher drain, one inbound
 *    batch) leaves in one `postMessage`.
 *    A batch that reaches MAX_TOKENS leaves at once (bounded arrays stay in
 *    the young generation; measured 4× cheaper per frame than one growing
 *    array per drain).
 * 2. A flush encodes the batch — one flat array of tokens — with msgpackr
 *    (structured-clone mode, records) and transfers the bytes. Senders check
 *    portability before they append (depth included), so a batch that still
 *    fails to encode holds a value that changed since (a getter, a proxy):
 *    it goes to `onUnsendable`, whose owner encodes its frames one by one,
 *    posts those that encode (`post`) and accounts for the others (dead
 *    letters, rejections), so one bad message never takes the others along.
 * 3. The receiver decodes a batch and handles its frames in order; a port is
 *    FIFO, so frames between two nodes arrive in the order they were sent.
 *
 * Measured against a SharedArrayBuffer ring (see README): batching over
 * MessagePort wins here because encode/decode, not the hand-off, dominates.
 */
import type { MessagePort } from 'node:worker_threads';
import { packr } from './codec.ts';

/** Tokens per batch before it is sent without waiting for the microtask (~1000 tells). */
export const MAX_TOKENS = 4096;

/**
 * How long a batch may wait in a thread that is still busy before it leaves,
 * ms. Otherwise it leaves when the drain that filled it ends, which a busy
 * executor reaches only after its time slice (`yieldMs`, 5 ms): the
 * outbound half of a round trip through a busy executor (INBOX_WAIT_MS in
 * board.ts is the inbound half). Posting every 0.1 ms showed no cost in the
 * one-way cross-thread benchmark: 7.0-9.6M msgs/s against 6.9-7.7M before,
 * three interleaved runs each.
 */
export const BATCH_WAIT_MS = 0.1;

export class Channel {
  private tokens: unknown[] = [];
  private armed = false;
  /** Batches sent (metrics). */
  batches = 0;
  /** The batch holds a frame the receiver should not wait a time slice for: `bell` runs once it is posted. */
  urgent = false;
  bell: (() => void) | null = null;
  /** Called after each post (the receiver's count of waiting batches, board.ts `posted`). */
  posted: (() => void) | null = null;

  constructor(
    readonly port: MessagePort,
    /** A batch failed to encode although its parts were checked: the owner accounts for its frames. */
    private readonly onUnsendable: (tokens: unknown[], error: unknown) => void = () => {},
  ) {}

  /**
   * The batch being filled: the caller pushes one frame's tokens (code
   * first). A frame is flat — no array per frame — because per-object
   * bookkeeping dominates msgpackr's cost in structured-clone mode.
   */
  out(): unknown[] {
    // A long drain would grow one huge array (copied on every growth, promoted
    // to old space): past MAX_TOKENS the batch leaves now and a new one starts.
    if (this.tokens.length >= MAX_TOKENS) this.flush();
    if (!this.armed) {
      this.armed = true;
      queueMicrotask(this.flush);
    }
    return this.tokens;
  }

  readonly flush = (): void => {
    this.armed = false;
    const b = this.tokens;
    if (b.length === 0) return;
    this.tokens = [];
    const error = this.post(b);
    if (error !== undefined) this.onUnsendable(b, error);
  };

  /**
   * Encodes `tokens` as one batch and posts it now: undefined when it left,
   * else the encoding error (nothing was posted). `onUnsendable` uses it to
   * send on what of a failed batch can still be encoded.
   */
  post(tokens: unknown[]): unknown {
    let bytes: Uint8Array;
    try {
      bytes = packr.pack(tokens);
    } catch (e) {
      return e ?? new Error('msgpackr threw a nullish value');
    }
    this.batches++;
    // packr reuses its buffer: copy out exactly the batch and transfer it (no second copy).
    const own = new Uint8Array(bytes);
    this.port.postMessage(own, [own.buffer]);
    this.posted?.();
    if (this.urgent) {
      // After the post: a receiver that yields on the ring finds the batch waiting.
      this.urgent = false;
      this.bell?.();
    }
    return undefined;
  }

  close(): void {
    this.flush();
    this.port.close();
  }
}

/** Decodes a batch posted by `Channel` (the runtime wraps this to bind refs to its host). */
export function decodeBatch(bytes: Uint8Array): unknown[] {
  return packr.unpack(bytes) as unknown[];
}
