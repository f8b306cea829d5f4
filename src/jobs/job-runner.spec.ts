import type { Job } from 'bull';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/config.js';
import type { Runtime } from '../config/config.module.js';
import type { JobMetrics } from '../metrics/job-metrics.service.js';
import type { JobCancellation } from './job-cancellation.service.js';
import type { JobCatalog } from './job-catalog.service.js';
import type { JobQueues, JobPayload } from './job-queues.service.js';
import type { JobReconciler } from './job-reconciler.service.js';
import type { JobRecordWriter, RecordPatch } from './job-record-writer.service.js';
import type { JobRecordsRepository } from './job-records.repository.js';
import { JobRunner } from './job-runner.service.js';
import type { JobContext } from './job-types.js';

/**
 * A runner for one job without a record (as a dispatch is queued), whose record INSERT
 * waits until `insert` or `fail` is called; `steps` tells what happened, in order.
 */
function runner(
  options: { checkpoints?: boolean; failFirstAttempt?: boolean; repeat?: boolean } = {},
) {
  const steps: string[] = [];
  const created: string[] = [];
  const written = new Set<string>();
  let settle!: { insert: () => void; fail: () => void };
  let asked!: () => void;
  const insertAsked = new Promise<void>((resolve) => (asked = resolve));
  const records = {
    create: (record: { id: string }) =>
      new Promise((resolve, reject) => {
        created.push(record.id);
        settle = {
          insert: () => {
            steps.push('record inserted');
            resolve(record);
          },
          fail: () => reject(new Error('connection lost')),
        };
        asked();
      }),
    addLog: async (_id: string, _attempt: number, message: string) => {
      steps.push(`log ${message}`);
    },
  } as unknown as JobRecordsRepository;
  const writer = {
    update: async (id: string, _generation: number, patch: RecordPatch) => {
      written.add(id);
      steps.push(`record ${patch.status}`);
    },
  } as unknown as JobRecordWriter;
  const type = {
    name: 'workflows.dispatch',
    queue: 'workflows',
    schema: {},
    checkpoints: options.checkpoints,
    handler: async (context: JobContext<object>) => {
      steps.push('handler');
      if (options.failFirstAttempt && context.attempt === 1) throw new Error('agent pool busy');
      await context.log('working');
      return { done: true };
    },
  };
  const jobs = new JobRunner(
    { get: () => type } as unknown as JobCatalog,
    {} as JobQueues,
    records,
    writer,
    { track: () => undefined, untrack: () => undefined } as unknown as JobCancellation,
    {} as JobReconciler,
    { observe: () => undefined } as unknown as JobMetrics,
    {} as AppConfig,
    {} as Runtime,
  );
  const job = {
    id: '7',
    name: type.name,
    data: { internal: true, params: { run_id: 'r' } } as JobPayload,
    attemptsMade: 0,
    opts: { attempts: 3, ...(options.repeat ? { repeat: { every: 60_000 } } : {}) },
    // Bull keeps the new data for the job's next attempt.
    update: async (data: JobPayload) => {
      job.data = data;
    },
    queue: { getJob: async () => ({ data: job.data }) },
  };
  return {
    steps,
    created,
    written,
    job,
    // What Bull calls for each job (registered in onApplicationBootstrap, which needs live queues).
    run: () => jobs['run'](job as unknown as Job<JobPayload>),
    insert: async () => (await insertAsked, settle.insert()),
    fail: async () => (await insertAsked, settle.fail()),
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('JobRunner', () => {
  it('runs a job without a record beside its record INSERT; the record changes and log lines follow the INSERT', async () => {
    const { steps, run, insert } = runner();
    const done = run();
    await settled();
    expect(steps).toEqual(['handler']);
    await insert();
    expect(await done).toEqual({ done: true });
    await settled();
    expect(steps).toEqual([
      'handler',
      'record inserted',
      'record active',
      'log working',
      'record completed',
    ]);
  });

  it('writes the record first for a type with checkpoints', async () => {
    const { steps, run, insert } = runner({ checkpoints: true });
    const done = run();
    await settled();
    expect(steps).toEqual([]);
    await insert();
    expect(await done).toEqual({ done: true });
    expect(steps.slice(0, 2)).toEqual(['record inserted', 'handler']);
  });

  it('still runs the job when its record cannot be written, and writes nothing of it', async () => {
    const { steps, run, fail } = runner();
    const done = run();
    await fail();
    expect(await done).toEqual({ done: true });
    await settled();
    expect(steps).toEqual(['handler']);
  });

  it('keeps the record a job without one made for its retry: the retry writes to it, and no other record is made', async () => {
    const { steps, created, written, job, run, insert } = runner({ failFirstAttempt: true });
    const first = run();
    await insert();
    await expect(first).rejects.toThrow('agent pool busy');
    await settled();
    expect(steps).toEqual(['handler', 'record inserted', 'record active', 'record delayed']);
    expect(job.data).toMatchObject({ recordId: created[0], generation: 0 });

    job.attemptsMade = 1;
    expect(await run()).toEqual({ done: true });
    await settled();
    expect(created).toHaveLength(1);
    expect([...written]).toEqual([created[0]]);
    expect(steps.slice(4)).toEqual(['record active', 'handler', 'log working', 'record completed']);
  });

  it('leaves the data of a run of a repeatable job as it is (Bull makes the next run from it)', async () => {
    const { job, run, insert } = runner({ failFirstAttempt: true, repeat: true });
    const first = run();
    await insert();
    await expect(first).rejects.toThrow('agent pool busy');
    expect(job.data).toEqual({ internal: true, params: { run_id: 'r' } });
  });
});
