/**
 * What tracing carries in a message's envelope (kernel/envelope.ts): the W3C
 * `traceparent` of the send span, the send time (ms, comparable across
 * threads) and the message id; `tracestate` when the context has one. A
 * plain array of strings and numbers, so it crosses threads in a frame and
 * survives a migration snapshot as is.
 */
import { createTraceState, type SpanContext } from '@opentelemetry/api';

export type Carried = readonly [traceparent: string, sentAt: number, messageId: string, tracestate?: string];

export interface CarriedContext {
  readonly spanContext: SpanContext;
  readonly sentAt: number;
  readonly messageId: string;
}

export function traceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

export function carry(sc: SpanContext, sentAt: number, messageId: string): Carried {
  const state = sc.traceState?.serialize();
  return state ? [traceparent(sc), sentAt, messageId, state] : [traceparent(sc), sentAt, messageId];
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The carried context, or null when `data` is not one (another plugin's, a damaged one): never throws. */
export function readCarried(data: unknown): CarriedContext | null {
  if (!Array.isArray(data) || data.length < 3) return null;
  const [tp, sentAt, messageId, state] = data as unknown[];
  if (typeof tp !== 'string' || typeof sentAt !== 'number' || typeof messageId !== 'string') return null;
  const m = TRACEPARENT.exec(tp);
  if (m === null) return null;
  const spanContext: SpanContext = {
    traceId: m[1]!,
    spanId: m[2]!,
    traceFlags: Number.parseInt(m[3]!, 16),
    isRemote: true,
    ...(typeof state === 'string' && state !== '' ? { traceState: createTraceState(state) } : {}),
  };
  return { spanContext, sentAt, messageId };
}
