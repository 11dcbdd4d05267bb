/**
 * Imported first by every executor (options.executorSetup), and by main.ts:
 * a TracerProvider registered on the main thread is not visible in a worker,
 * so each thread registers its own. Every thread's spans go to the main
 * thread (tree.ts), which prints them and exports them over OTLP.
 */
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { tracing } from '@troupe/observability/otel';
import { ChannelExporter } from './tree.ts';

export const provider = new NodeTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(new ChannelExporter())],
});
provider.register();

export const plugins = [tracing()];
