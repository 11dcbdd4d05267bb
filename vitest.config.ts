import { defineConfig } from 'vitest/config';

// One project per package plus the cross-package suite in test/. The custom
// condition makes every import of @troupe/* resolve to TypeScript sources, so
// tests never run against a stale dist/.
const conditions = ['@troupe/source'];
const project = (name: string, include: string[]) => ({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { name, include, testTimeout: 30_000, hookTimeout: 30_000 },
});

export default defineConfig({
  test: {
    // Dead letters are logged by default (runtime log/dead-letters.ts) and many tests make them on
    // purpose: keep their lines out of the output. Tests of the log pass their own logger.
    onConsoleLog: (log) => !log.startsWith('troupe: message ['),
    projects: [
      project('scheduler', ['packages/scheduler/test/**/*.test.ts']),
      project('runtime', ['packages/runtime/test/**/*.test.ts']),
      project('observability', ['packages/observability/test/**/*.test.ts']),
      project('integration', ['test/**/*.test.ts']),
    ],
  },
});
