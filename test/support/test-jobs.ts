import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { TestApp } from './app.js';
import { JobCatalog } from '../../src/jobs/job-catalog.service.js';
import { QUEUES } from '../../src/jobs/queues.js';

class SlowParams {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  steps?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  step_ms?: number;
}

/**
 * Job types that exist only in tests, registered on an in-process app, to drive
 * the real job system through situations real types reach rarely (a slow,
 * cancellable job; a job that fails once).
 */
export function registerTestJobs(app: TestApp): {
  flakyRuns: () => number;
  runsOf: (key: string) => number;
} {
  const catalog = app.service.app.get(JobCatalog);
  let flakyRuns = 0;
  const runs = new Map<unknown, number>();
  if (!catalog.get('test.slow')) {
    catalog.register<SlowParams, { steps_done: number }>({
      name: 'test.slow',
      description: 'test: counts steps, reporting progress, stopping when cancelled',
      queue: QUEUES.system,
      params: SlowParams,
      schema: {},
      handler: async (context) => {
        const { steps = 10, step_ms = 50 } = context.params;
        for (let step = 1; step <= steps; step++) {
          if (context.signal.aborted) throw new Error('stopped');
          await new Promise((resolveStep) => setTimeout(resolveStep, step_ms));
          await context.progress((step / steps) * 100, `step ${step}`);
          if (step === 1) await context.log('started counting');
        }
        return { steps_done: steps };
      },
    });
    catalog.register({
      name: 'test.flaky',
      description: 'test: fails on its first run, succeeds afterwards',
      queue: QUEUES.system,
      schema: {},
      handler: async () => {
        flakyRuns++;
        if (flakyRuns === 1) throw new Error('first run fails');
        return { runs: flakyRuns };
      },
    });
    catalog.register({
      name: 'test.fails_once',
      description: 'test: fails on the first run of each `key`, succeeds afterwards',
      queue: QUEUES.system,
      schema: {},
      handler: async (context) => {
        const { key } = context.params as { key?: unknown };
        runs.set(key, (runs.get(key) ?? 0) + 1);
        if (runs.get(key) === 1) throw new Error('first run fails');
        return { attempt: context.attempt };
      },
    });
  }
  return { flakyRuns: () => flakyRuns, runsOf: (key) => runs.get(key) ?? 0 };
}
