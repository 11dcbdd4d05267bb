/** Options of `tracing()` (plugin.ts), checked eagerly: a bad one is a ConfigError naming it. */
import type { TracerProvider } from '@opentelemetry/api';
import { ConfigError } from '@troupe/runtime';

export interface TracingOptions {
  /** Where spans go. Default: the global TracerProvider of the thread the plugin runs on. */
  readonly tracerProvider?: TracerProvider;
  /** Probability that a message sent outside any trace starts one, in [0, 1]. Default 1. */
  readonly sampleRatio?: number;
  /** False: no spans for this message and nothing carried (timer ticks, chatty definitions or types). */
  readonly filter?: (msg: unknown, definition: string) => boolean;
  /**
   * The `process` span's parent: the carried `send` context (`'carried'`, default) or none — a
   * new trace per message (`'link-only'`). Either way it links to the carried context.
   */
  readonly parent?: 'carried' | 'link-only';
}

export interface ResolvedTracingOptions {
  readonly tracerProvider: TracerProvider | null;
  readonly sampleRatio: number;
  readonly filter: ((msg: unknown, definition: string) => boolean) | null;
  readonly parent: 'carried' | 'link-only';
}

const KEYS = ['tracerProvider', 'sampleRatio', 'filter', 'parent'];

export function resolveTracingOptions(o: TracingOptions): ResolvedTracingOptions {
  if (o === null || typeof o !== 'object') throw new ConfigError('tracing(options)', 'an object', o);
  for (const k of Object.keys(o))
    if (!KEYS.includes(k)) throw new ConfigError(`tracing(options).${k}`, `one of ${KEYS.join(', ')}`, k);
  const tp = o.tracerProvider;
  if (tp !== undefined && (tp === null || typeof (tp as TracerProvider).getTracer !== 'function'))
    throw new ConfigError('tracing(options).tracerProvider', 'a TracerProvider (getTracer)', tp);
  const sampleRatio = o.sampleRatio ?? 1;
  if (typeof sampleRatio !== 'number' || !(sampleRatio >= 0 && sampleRatio <= 1))
    throw new ConfigError('tracing(options).sampleRatio', 'a number in [0, 1]', o.sampleRatio);
  if (o.filter !== undefined && typeof o.filter !== 'function')
    throw new ConfigError('tracing(options).filter', 'a function (msg, definition) => boolean', o.filter);
  const parent = o.parent ?? 'carried';
  if (parent !== 'carried' && parent !== 'link-only')
    throw new ConfigError('tracing(options).parent', '"carried" or "link-only"', o.parent);
  return { tracerProvider: tp ?? null, sampleRatio, filter: o.filter ?? null, parent };
}
