import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ once (skipped when fresh) for worker-thread and CLI tests: see test/dist.ts.
    globalSetup: ['test/globalSetup.ts'],
    // tfjs backends are process-global: isolate files in forks, 2 cores => 2 workers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
