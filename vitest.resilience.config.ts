import { defineConfig } from 'vitest/config';

// The same shared defaults as vitest.config.ts (globalSetup does not see `test.env`).
process.env.NODE_ENV ??= 'test';
process.env.LOG_LEVEL ??= 'error';
process.env.TEST_DATABASE_SERVER_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
process.env.TEST_REDIS_URL ??= 'redis://127.0.0.1:6379/15';

/**
 * `npm run test:resilience`: faults injected into private PostgreSQL and Redis servers
 * and into the service's own processes. One file at a time: each puts the 2-core
 * machine under load and measures how long recovery takes.
 */
export default defineConfig({
  test: {
    name: 'resilience',
    include: ['test/resilience/**/*.resilience-spec.ts'],
    globalSetup: ['test/resilience/support/global-setup.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
