import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // builds dist/ once (test/globalSetup.ts); one line when the browser tests are skipped for want of a Chromium
    globalSetup: ['test/globalSetup.ts', 'test/browser/chromiumNotice.ts'],
    // tfjs backends are process-global: isolate files in forks, 2 cores => 2 workers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
