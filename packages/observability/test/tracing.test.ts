/**
 * Tracing in one thread, with the real OpenTelemetry SDK (InMemorySpanExporter):
 * `send` PRODUCER / `process` CONSUMER spans through a chain of actors, one
 * trace, parents and links, the user's spans nested under `process` (async
 * handlers too), errors, sampling and the filter, a provider that throws —
 * and nothing carried while tracing is off.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { SCHEMA_URL, tracing } from '@troupe/observability/otel';
import { type AnyTroupeEvent, createSystem, defineActor, type Plugin } from '@troupe/runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Relay, type RelayMsg, Slow } from './fixtures/trace-actors.ts';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const manager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(manager.enable());
  trace.setGlobalTracerProvider(provider); // the user's spans in the fixtures use the global tracer
});
afterAll(() => {
  context.disable();
  trace.disable();
});
beforeEach(() => exporter.reset());

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((s) => s.name === name);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
/** The count each relay saw, asked in chain order: each answer means its `go` reached the next one's mailbox. */
async function counts(refs: Array<{ ask: (m: RelayMsg) => Promise<unknown> }>): Promise<unknown[]> {
  const out = [];
  for (const r of refs) out.push(await r.ask({ type: 'count' }));
  return out;
}

async function chain(plugins: Plugin[], n = 4) {
  const system = await createSystem({ plugins, deadLetters: { log: false } });
  let next = null;
  const refs = [];
  for (let i = 0; i < n; i++) {
    next = await system.spawn(Relay, { next });
    refs.unshift(next);
  }
  return { system, refs };
}

describe('tracing (one thread)', () => {
  it('one trace down a 4-actor chain: send PRODUCER → process CONSUMER, parent and link, attributes', async () => {
    const { system, refs } = await chain([tracing({ tracerProvider: provider })]);
    const root = trace.getTracer('test').startSpan('request');
    context.with(trace.setSpan(context.active(), root), () => refs[0]!.tell({ type: 'go', hop: 0 }));
    root.end();
    expect(await counts(refs)).toEqual([1, 1, 1, 1]);

    const sends = named('send trace-relay').filter(
      (s) => s.attributes['messaging.troupe.message.type'] === 'go',
    );
    const procs = named('process trace-relay').filter(
      (s) => s.attributes['messaging.troupe.message.type'] === 'go',
    );
    expect(sends).toHaveLength(4);
    expect(procs).toHaveLength(4);
    const traceId = root.spanContext().traceId;
    for (const s of [...sends, ...procs]) expect(s.spanContext().traceId).toBe(traceId);
    // Hop k: send_k's parent is process_{k-1} (the request span for k = 0); process_k's parent is send_k.
    const byHop = (list: ReadableSpan[], id: number) =>
      list.find((s) => s.attributes['messaging.troupe.actor.id'] === id)!;
    let parent = root.spanContext().spanId;
    for (const ref of refs) {
      const send = byHop(sends, ref.id);
      const proc = byHop(procs, ref.id);
      expect(send.kind).toBe(SpanKind.PRODUCER);
      expect(proc.kind).toBe(SpanKind.CONSUMER);
      expect(parentOf(send)).toBe(parent);
      expect(parentOf(proc)).toBe(send.spanContext().spanId);
      expect(proc.links.map((l) => l.context.spanId)).toEqual([send.spanContext().spanId]);
      expect(send.attributes).toMatchObject({
        'messaging.system': 'troupe',
        'messaging.operation.name': 'send',
        'messaging.operation.type': 'send',
        'messaging.destination.name': 'trace-relay',
        'messaging.destination.template': 'trace-relay',
        'messaging.troupe.executor.id': 0,
      });
      expect(proc.attributes).toMatchObject({
        'messaging.system': 'troupe',
        'messaging.operation.name': 'process',
        'messaging.operation.type': 'process',
        'messaging.message.id': send.attributes['messaging.message.id'],
        'messaging.troupe.actor.id': ref.id,
      });
      expect(proc.attributes['messaging.troupe.queue.duration']).toBeGreaterThanOrEqual(0);
      expect(proc.instrumentationScope).toMatchObject({
        name: '@troupe/observability',
        schemaUrl: SCHEMA_URL,
      });
      // The user's own span in the handler nests under the process span.
      const user = spans().find(
        (s) => s.name.startsWith('user work') && parentOf(s) === proc.spanContext().spanId,
      );
      expect(user).toBeDefined();
      parent = proc.spanContext().spanId;
    }
    await system.shutdown();
  });

  it("parent: 'link-only' starts a new trace per message, linked to the sender's", async () => {
    const { system, refs } = await chain([tracing({ tracerProvider: provider, parent: 'link-only' })], 2);
    refs[0]!.tell({ type: 'go', hop: 0 });
    expect(await counts(refs)).toEqual([1, 1]);
    const proc = named('process trace-relay').find(
      (s) =>
        s.attributes['messaging.troupe.actor.id'] === refs[1]!.id &&
        s.attributes['messaging.troupe.message.type'] === 'go',
    )!;
    const send = named('send trace-relay').find(
      (s) => s.attributes['messaging.message.id'] === proc.attributes['messaging.message.id'],
    )!;
    expect(parentOf(proc)).toBeUndefined();
    expect(proc.spanContext().traceId).not.toBe(send.spanContext().traceId);
    expect(proc.links[0]!.context).toMatchObject({
      traceId: send.spanContext().traceId,
      spanId: send.spanContext().spanId,
    });
    await system.shutdown();
  });

  it('a throwing handler (sync or async): status ERROR, the exception recorded, error.type; async spans end when the promise settles', async () => {
    const system = await createSystem({
      plugins: [tracing({ tracerProvider: provider })],
      deadLetters: { log: false },
    });
    const events: AnyTroupeEvent[] = [];
    system.events$.subscribe((e) => events.push(e));
    const relay = await system.spawn(Relay, { next: null });
    const slow = await system.spawn(Slow, undefined);
    relay.tell({ type: 'boom' });
    slow.tell({ type: 'go', hop: 0 });
    slow.tell({ type: 'boom' });
    await expect.poll(() => named('process trace-slow').length).toBe(2);
    const syncErr = named('process trace-relay').find(
      (s) => s.attributes['messaging.troupe.message.type'] === 'boom',
    )!;
    expect(syncErr.status.code).toBe(SpanStatusCode.ERROR);
    expect(syncErr.attributes['error.type']).toBe('TypeError');
    expect(syncErr.events.find((e) => e.name === 'exception')?.attributes?.['exception.message']).toBe(
      'boom on purpose',
    );
    const [ok, bad] = ['go', 'boom'].map(
      (t) => named('process trace-slow').find((s) => s.attributes['messaging.troupe.message.type'] === t)!,
    );
    expect(ok!.status.code).toBe(SpanStatusCode.UNSET);
    const afterAwait = spans().find((s) => s.name === 'user after await')!;
    expect(parentOf(afterAwait)).toBe(ok!.spanContext().spanId); // context survives the await
    expect(bad!.status.code).toBe(SpanStatusCode.ERROR);
    expect(bad!.attributes['error.type']).toBe('RangeError');
    await system.shutdown();
  });

  it('a retried message is processed again under the same send span; messages queued behind a restart keep theirs', async () => {
    let booms = 0;
    const Flaky = defineActor('trace-flaky', {
      init: () => 0,
      receive: (n: number, m: string) => {
        if (m === 'retry-me' && booms++ === 0) throw new Error('first attempt fails');
        if (m === 'crash') throw new Error('crash');
        return n + 1;
      },
      retry: { attempts: 1 },
    });
    const Plain = defineActor('trace-plain', {
      init: () => 0,
      receive: (n: number, m: string) => {
        if (m === 'crash') throw new Error('crash');
        return n + 1;
      },
    });
    const system = await createSystem({
      plugins: [tracing({ tracerProvider: provider })],
      deadLetters: { log: false },
    });
    const flaky = await system.spawn(Flaky, undefined);
    const plain = await system.spawn(Plain, undefined);
    const root = provider.getTracer('test').startSpan('request');
    context.with(trace.setSpan(context.active(), root), () => {
      flaky.tell('retry-me');
      plain.tell('crash');
      plain.tell('after');
    });
    root.end();
    await expect.poll(() => named('process trace-plain').length).toBe(2);
    await expect.poll(() => named('process trace-flaky').length).toBe(2);
    const send = (to: string, type: string) =>
      named(`send ${to}`).find((s) => s.attributes['messaging.troupe.message.type'] === type)!;
    const retried = named('process trace-flaky');
    expect(retried.map((s) => parentOf(s))).toEqual([
      send('trace-flaky', 'retry-me').spanContext().spanId,
      send('trace-flaky', 'retry-me').spanContext().spanId,
    ]);
    expect(retried.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    const after = named('process trace-plain').find(
      (s) => s.attributes['messaging.troupe.message.type'] === 'after',
    )!;
    expect(parentOf(after)).toBe(send('trace-plain', 'after').spanContext().spanId);
    expect(after.spanContext().traceId).toBe(root.spanContext().traceId);
    await system.shutdown();
  });

  it('filter and sampleRatio 0: no spans and nothing carried, so downstream sends start no trace either', async () => {
    const skipTicks = tracing({ tracerProvider: provider, filter: (m) => (m as RelayMsg).type !== 'tick' });
    const a = await chain([skipTicks], 2);
    a.refs[0]!.tell({ type: 'tick' });
    a.refs[0]!.tell({ type: 'go', hop: 0 });
    expect(await counts(a.refs)).toEqual([2, 1]); // the tick was handled, untraced
    expect(spans().some((s) => s.attributes['messaging.troupe.message.type'] === 'tick')).toBe(false);
    expect(spans().filter((s) => s.attributes['messaging.troupe.message.type'] === 'go')).toHaveLength(4);
    await a.system.shutdown();

    exporter.reset();
    const b = await chain([tracing({ tracerProvider: provider, sampleRatio: 0 })], 3);
    b.refs[0]!.tell({ type: 'go', hop: 0 });
    expect(await counts(b.refs)).toEqual([1, 1, 1]);
    // Only the user's own spans: the sampled-out request stayed out at every hop.
    expect(spans().filter((s) => s.instrumentationScope.name === '@troupe/observability')).toEqual([]);
    await b.system.shutdown();
  });

  it('a provider that throws: an observability.tracing-failed event, the messages still handled', async () => {
    const broken = {
      getTracer: () => {
        throw new Error('provider down');
      },
    };
    const { system, refs } = await chain([tracing({ tracerProvider: broken })], 2);
    const events: AnyTroupeEvent[] = [];
    system.observe({ sampleRate: 0 }).subscribe((e) => events.push(e));
    const warn = console.warn;
    const lines: string[] = [];
    console.warn = (l: string) => lines.push(l);
    try {
      refs[0]!.tell({ type: 'go', hop: 0 });
      expect(await counts(refs)).toEqual([1, 1]);
    } finally {
      console.warn = warn;
    }
    expect(events.filter((e) => e.type === 'observability.tracing-failed')).toHaveLength(1);
    expect(lines.filter((l) => /tracing \(send\) failed.*provider down/.test(l))).toHaveLength(1);
    await system.shutdown();
  });

  it('bad options are ConfigErrors naming the option', () => {
    expect(() => tracing({ sampleRatio: 2 })).toThrow(/sampleRatio/);
    expect(() => tracing({ parent: 'sideways' as never })).toThrow(/parent/);
    expect(() => tracing({ tracerProvider: {} as never })).toThrow(/tracerProvider/);
    expect(() => tracing({ sampler: 1 } as never)).toThrow(/sampler/);
  });
});
