/**
 * Tracing across executor threads, exported for real: each executor imports
 * the setup module first (options.executorSetup), which registers its own
 * SDK with the official OTLP/HTTP exporter (JSON, then protobuf) sending to a
 * receiver in this test. One trace runs from a span on the main thread down a
 * 4-actor chain over 2 executors, one actor migrated in the middle; a
 * throwing handler on an executor gives an error span.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { tracing } from '@troupe/observability/otel';
import { type ActorRef, createSystem } from '@troupe/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Relay, type RelayMsg } from './fixtures/trace-actors.ts';
import { type OtlpReceiver, otlpReceiver } from './support/otlp-receiver.ts';

const actors = new URL('./fixtures/trace-actors.ts', import.meta.url);
const setup = new URL('./fixtures/trace-setup.ts', import.meta.url);
const PRODUCER = 4;
const CONSUMER = 5;
const ERROR = 2;

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let receiver: OtlpReceiver;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  receiver = await otlpReceiver();
  process.env.TROUPE_TEST_OTLP_URL = receiver.url; // workers copy the environment when they start
});
afterAll(async () => {
  context.disable();
  await receiver.close();
});

describe.each(['json', 'protobuf'] as const)('tracing across executors (OTLP %s)', (body) => {
  it('one trace id down a 4-actor chain over 2 executors with a migration in the middle; kinds, parents, links, attributes; an error span', async () => {
    process.env.TROUPE_TEST_OTLP_BODY = body;
    receiver.spans.length = 0;
    const system = await createSystem({
      actors,
      executors: 2,
      plugins: [tracing({ tracerProvider: provider })],
      executorSetup: setup,
      deadLetters: { log: false },
    });
    try {
      let next: ActorRef<RelayMsg> | null = null;
      const refs: ActorRef<RelayMsg>[] = [];
      for (const executor of [2, 1, 1, 1]) {
        next = await system.spawn(Relay, { next }, { placement: { executor } });
        refs.unshift(next);
      }
      // Chain order: executors 1, 1, 1, 2; the second hop moves to executor 2 before the request runs.
      await system.migrate(refs[1]!, { executor: 2 });
      const root = provider.getTracer('test').startSpan('request');
      context.with(trace.setSpan(context.active(), root), () => refs[0]!.tell({ type: 'go', hop: 0 }));
      root.end();
      refs[2]!.tell({ type: 'boom' });

      const go = (name: string) =>
        receiver.spans.filter(
          (s) => s.name === name && s.attributes['messaging.troupe.message.type'] === 'go',
        );
      await expect.poll(() => go('process trace-relay').length, { timeout: 20_000 }).toBe(4);
      await expect.poll(() => go('send trace-relay').length, { timeout: 20_000 }).toBe(3);
      await expect
        .poll(() => receiver.spans.filter((s) => s.name.startsWith('user work')).length, { timeout: 20_000 })
        .toBe(4);
      expect(receiver.spans.every((s) => s.body === body)).toBe(true);

      // The first send is on the main thread (in memory); the rest came from the executors over OTLP.
      const first = exporter.getFinishedSpans().find((s) => s.name === 'send trace-relay')!;
      expect(first.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      const traceId = root.spanContext().traceId;
      const sends = go('send trace-relay');
      const procs = go('process trace-relay');
      for (const s of [...sends, ...procs]) expect(s.traceId).toBe(traceId);
      const sendTo = (id: number) =>
        id === refs[0]!.id
          ? { spanId: first.spanContext().spanId, attributes: first.attributes }
          : sends.find((s) => s.attributes['messaging.troupe.actor.id'] === id)!;
      let parent = root.spanContext().spanId;
      const placed = [1, 2, 1, 2]; // every hop crosses threads
      refs.forEach((ref, k) => {
        const proc = procs.find((s) => s.attributes['messaging.troupe.actor.id'] === ref.id)!;
        const send = sendTo(ref.id);
        expect(proc.kind).toBe(CONSUMER);
        expect(proc.parentSpanId).toBe(send.spanId);
        expect(proc.links).toEqual([{ traceId, spanId: send.spanId }]);
        expect(proc.attributes).toMatchObject({
          'messaging.system': 'troupe',
          'messaging.operation.name': 'process',
          'messaging.destination.template': 'trace-relay',
          'messaging.message.id': send.attributes['messaging.message.id'],
          'messaging.troupe.executor.id': placed[k],
        });
        if (k > 0) {
          const s = sends.find((x) => x.spanId === send.spanId)!;
          expect(s.kind).toBe(PRODUCER);
          expect(s.parentSpanId).toBe(parent);
          expect(s.attributes['messaging.troupe.executor.id']).toBe(placed[k - 1]);
        }
        const user = receiver.spans.find((s) => s.name === `user work ${k}`)!;
        expect(user.parentSpanId).toBe(proc.spanId);
        parent = proc.spanId;
      });

      await expect
        .poll(
          () =>
            receiver.spans.find(
              (s) => s.attributes['messaging.troupe.message.type'] === 'boom' && s.kind === CONSUMER,
            ),
          {
            timeout: 20_000,
          },
        )
        .toBeDefined();
      const boom = receiver.spans.find(
        (s) => s.attributes['messaging.troupe.message.type'] === 'boom' && s.kind === CONSUMER,
      )!;
      expect(boom.status.code).toBe(ERROR);
      expect(boom.attributes['error.type']).toBe('TypeError');
      expect(boom.events.find((e) => e.name === 'exception')?.attributes['exception.message']).toBe(
        'boom on purpose',
      );
    } finally {
      await system.shutdown();
      exporter.reset();
    }
  });
});
