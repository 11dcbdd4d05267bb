/**
 * `tracing(options)`: OpenTelemetry traces through messages, as a kernel
 * plugin (the interception seam, kernel/hooks.ts).
 *
 * 1. Send (the sender's thread, in its turn): a `send {definition}` PRODUCER
 *    span whose parent is the active context — the `process` span of the
 *    handler that sends, or the caller's own span outside actors. Its W3C
 *    `traceparent`, the send time and a message id ride in the message's
 *    envelope (data.ts): through the mailbox, a retry, a restart, a steal,
 *    a migration snapshot and a frame to another executor. Nothing rides
 *    while tracing is off: without the plugin there is no interceptor.
 * 2. Process (where the message is handled): a `process {definition}`
 *    CONSUMER span around the handler, which runs inside `context.with()` so
 *    the user's spans nest under it. Parent: the carried context (option
 *    `parent: 'link-only'` starts a new trace); always a link to it. A throw
 *    or a rejected promise sets status ERROR, records the exception and
 *    `error.type`.
 * 3. Sampling: a message sent outside any trace starts one with probability
 *    `sampleRatio`; one sent by a handler whose message carries no trace
 *    (unsampled, filtered) starts none, so a sampled-out request stays out
 *    all the way. The provider's own sampler decides after that; a context
 *    it does not sample is not carried.
 * 4. Failures (a provider or span that throws): an
 *    `observability.tracing-failed` event and a log line, the first of each
 *    kind; the message goes on untraced. The actors keep running.
 */
import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { ActorCell, ActorRef, Host, Plugin } from '@troupe/runtime';
import { errorText } from '../report.ts';
import {
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_TEMPLATE,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  ATTR_TROUPE_ACTOR_ID,
  ATTR_TROUPE_EXECUTOR_ID,
  ATTR_TROUPE_MESSAGE_TYPE,
  ATTR_TROUPE_QUEUE_TIME,
  MESSAGING_SYSTEM,
  SCHEMA_URL,
  VERSION,
} from './conventions.ts';
import { type Carried, carry, readCarried } from './data.ts';
import { resolveTracingOptions, type TracingOptions } from './options.ts';

export type { TracingOptions } from './options.ts';

/** Wall time in ms that orders events across threads (each thread's timeOrigin + its monotonic clock). */
const now = (): number => performance.timeOrigin + performance.now();

function messageType(msg: unknown): string | undefined {
  if (typeof msg === 'string') return msg.length <= 64 ? msg : undefined;
  if (msg !== null && typeof msg === 'object') {
    const t = (msg as { type?: unknown }).type;
    if (typeof t === 'string') return t;
  }
  return undefined;
}

function destination(ref: ActorRef): string {
  return ref.name ?? ref.def;
}

export function tracing(options: TracingOptions = {}): Plugin {
  const o = resolveTracingOptions(options);
  return {
    name: 'observability.tracing',
    install(api) {
      const host: Host = api.host;
      const node = host.node;
      let tracer: Tracer | null = null;
      const tracerOf = (): Tracer =>
        (tracer ??= ((o.tracerProvider ?? trace.getTracerProvider()) as TracerProvider).getTracer(
          '@troupe/observability',
          VERSION,
          { schemaUrl: SCHEMA_URL },
        ));
      let seq = 0;
      /** > 0 while a handler whose message carries no trace runs (its synchronous part). */
      let untraced = 0;
      const reported = new Set<string>();
      const failed = (where: 'send' | 'process', e: unknown): void => {
        if (reported.has(where)) return;
        reported.add(where);
        const line = `troupe: tracing (${where}) failed on executor ${node}: ${errorText(e)} (messages go on untraced; further failures are not logged)`;
        try {
          console.warn(line);
        } catch {}
        try {
          host.emit({ type: 'observability.tracing-failed', at: host.clock.now(), where, error: e });
        } catch {}
      };

      const send = (to: ActorRef, msg: unknown): Carried | undefined => {
        try {
          if (o.filter !== null && !o.filter(msg, to.def)) return undefined;
          const active = context.active();
          const parent = trace.getSpanContext(active);
          if (parent === undefined || !isSpanContextValid(parent)) {
            if (untraced > 0) return undefined;
            if (o.sampleRatio < 1 && Math.random() >= o.sampleRatio) return undefined;
          } else if ((parent.traceFlags & 1) === 0) return undefined;
          const id = `${node}-${++seq}`;
          const attributes: Attributes = {
            [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
            [ATTR_MESSAGING_OPERATION_NAME]: 'send',
            [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
            [ATTR_MESSAGING_DESTINATION_NAME]: destination(to),
            [ATTR_MESSAGING_DESTINATION_TEMPLATE]: to.def,
            [ATTR_MESSAGING_MESSAGE_ID]: id,
            [ATTR_TROUPE_ACTOR_ID]: to.id,
            [ATTR_TROUPE_EXECUTOR_ID]: node,
          };
          const type = messageType(msg);
          if (type !== undefined) attributes[ATTR_TROUPE_MESSAGE_TYPE] = type;
          const span = tracerOf().startSpan(
            `send ${to.def}`,
            { kind: SpanKind.PRODUCER, attributes },
            active,
          );
          span.end();
          const sc = span.spanContext();
          // No SDK on this thread (a no-op tracer) or not sampled: nothing to carry.
          if (!isSpanContextValid(sc) || (sc.traceFlags & 1) === 0) return undefined;
          return carry(sc, now(), id);
        } catch (e) {
          failed('send', e);
          return undefined;
        }
      };

      const fail = (span: Span, e: unknown): void => {
        try {
          span.recordException(e instanceof Error ? e : String(e));
          span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
          span.setAttribute(ATTR_ERROR_TYPE, e instanceof Error ? e.name : typeof e);
          span.end();
        } catch (x) {
          failed('process', x);
        }
      };

      const around = (cell: ActorCell, msg: unknown, data: unknown, receive: () => unknown): unknown => {
        const carried = data === undefined ? null : readCarried(data);
        if (carried === null) {
          untraced++;
          try {
            return receive();
          } finally {
            untraced--;
          }
        }
        let span: Span;
        let ctx: Context;
        try {
          const ref = cell.ref;
          const links: Link[] = [{ context: carried.spanContext }];
          const remote = trace.setSpanContext(ROOT_CONTEXT, carried.spanContext);
          const attributes: Attributes = {
            [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM,
            [ATTR_MESSAGING_OPERATION_NAME]: 'process',
            [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
            [ATTR_MESSAGING_DESTINATION_NAME]: destination(ref),
            [ATTR_MESSAGING_DESTINATION_TEMPLATE]: ref.def,
            [ATTR_MESSAGING_MESSAGE_ID]: carried.messageId,
            [ATTR_TROUPE_ACTOR_ID]: ref.id,
            [ATTR_TROUPE_EXECUTOR_ID]: node,
            [ATTR_TROUPE_QUEUE_TIME]: Math.max(0, now() - carried.sentAt) / 1000,
          };
          const type = messageType(msg);
          if (type !== undefined) attributes[ATTR_TROUPE_MESSAGE_TYPE] = type;
          span = tracerOf().startSpan(
            `process ${ref.def}`,
            { kind: SpanKind.CONSUMER, attributes, links },
            o.parent === 'carried' ? remote : ROOT_CONTEXT,
          );
          ctx = trace.setSpan(o.parent === 'carried' ? remote : ROOT_CONTEXT, span);
        } catch (e) {
          failed('process', e);
          return receive();
        }
        let r: unknown;
        try {
          r = context.with(ctx, receive);
        } catch (e) {
          fail(span, e);
          throw e;
        }
        if (r instanceof Promise)
          r.then(
            () => span.end(),
            (e: unknown) => fail(span, e),
          );
        else span.end();
        return r;
      };

      api.intercept({ send, process: () => {}, around });
    },
  };
}
