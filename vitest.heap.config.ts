import { defineConfig } from 'vitest/config';

// The same shared defaults as vitest.config.ts (globalSetup does not see `test.env`).
process.env.NODE_ENV ??= 'test';
process.env.LOG_LEVEL ??= 'error';
process.env.TEST_DATABASE_SERVER_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
process.env.TEST_REDIS_URL ??= 'redis://127.0.0.1:6379/15';

/**
 * `npm run test:heap`: the memory proofs. Heap is measured after forced collections
 * (--expose-gc), one file at a time so no other test shares the process.
 */
export default defineConfig({
  test: {
    name: 'heap',
    include: ['test/heap/**/*.heap-spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    environment: 'node',
    pool: 'forks',
    execArgv: ['--expose-gc'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
