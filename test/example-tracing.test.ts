/**
 * examples/tracing runs as a user would run it: one trace tree per order —
 * the `order` span on the main thread, then parse → price → store on the two
 * executors, the user's own span under `process store`, the order the pricer
 * refuses as an ERROR span — and, with OTEL_EXPORTER_OTLP_ENDPOINT set, the
 * same spans exported over OTLP/HTTP to a receiver in this test.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { otlpReceiver } from '../packages/observability/test/support/otlp-receiver.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(endpoint?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint !== undefined) env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@troupe/source', '--import', 'tsx', 'examples/tracing/main.ts'],
      { cwd: root, env, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), stdout, stderr }),
    );
  });
}

describe('examples/tracing', () => {
  it('prints a trace tree per order across the two executors and exports the spans over OTLP', async () => {
    const receiver = await otlpReceiver();
    try {
      const { code, stdout, stderr } = await run(receiver.url.replace('/v1/traces', ''));
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const trees = stdout.split(/^trace /m).filter((t) => t.trim() !== '' && !t.startsWith('exported'));
      expect(trees).toHaveLength(3);
      const names = trees[0]!
        .split('\n')
        .slice(1)
        .filter((l) => l.trim() !== '' && !l.startsWith('exported'))
        .map((l) => l.replace(/ [\d.]+ ms.*$/, ''));
      expect(names).toEqual([
        '  order 0 (internal)',
        '    send parser (producer) [executor 0]',
        '      process parser (consumer) [executor 2]',
        '        send pricer (producer) [executor 2]',
        '          process pricer (consumer) [executor 1]',
        '            send store (producer) [executor 1]',
        '              process store (consumer) [executor 2]',
        '                db.insert (internal)',
      ]);
      expect(trees[2]).toMatch(/process pricer \(consumer\) \[executor 1\] [\d.]+ ms ERROR/);
      // The OTLP export: the same spans, one trace per order, from all three threads.
      expect(stdout).toMatch(/^exported \d+ spans to http:\/\/127\.0\.0\.1:\d+$/m);
      const exported = Number(/exported (\d+) spans/.exec(stdout)![1]);
      expect(receiver.spans.length).toBe(exported);
      const first = trees[0]!.split('\n')[0]!.trim();
      const trace = receiver.spans.filter((s) => s.traceId === first);
      expect(trace.map((s) => s.name).sort()).toEqual(
        [
          'order 0',
          'send parser',
          'process parser',
          'send pricer',
          'process pricer',
          'send store',
          'process store',
          'db.insert',
        ].sort(),
      );
      expect(new Set(trace.map((s) => s.attributes['messaging.troupe.executor.id']))).toEqual(
        new Set([undefined, 0, 1, 2]),
      );
    } finally {
      await receiver.close();
    }
  }, 90_000);
});
