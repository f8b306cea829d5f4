import { defineConfig } from 'vitest/config';

// Shared defaults for every test process (globalSetup does not see `test.env`).
process.env.NODE_ENV ??= 'test';
process.env.LOG_LEVEL ??= 'error';
process.env.TEST_DATABASE_SERVER_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
// Tests use their own Redis database index, never the development one.
process.env.TEST_REDIS_URL ??= 'redis://127.0.0.1:6379/15';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.spec.ts'],
          sequence: { groupOrder: 0 },
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          sequence: { groupOrder: 1 },
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/contract/setup.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each file gets its own database and Redis prefix, so files may run side by side.
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
