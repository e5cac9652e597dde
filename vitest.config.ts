import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{edge,gpu-worker,shared,scripts,test,deploy,playground,bench}/**/*.test.ts'],
    // The edge serves the playground's build as static assets: build it before any test starts the edge.
    globalSetup: ['test/harness/playground-setup.ts'],
    // Integration tests start real processes (gpu-workers, workerd); give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
