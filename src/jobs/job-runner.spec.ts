import type { Job } from 'bull';
import { describe, expect, it } from 'vitest';
import type { JobPayload } from './job-queues.service.js';
import type { RecordPatch } from './job-record-writer.service.js';
import { JobRunner } from './job-runner.service.js';

/** A runner whose record INSERTs wait until `insert` (or `fail`) is called; `steps` tells what happened, in order. */
function runner() {
  const steps: string[] = [];
  let settle: { insert: () => void; fail: () => void } | undefined;
  const records = {
    create: (record: object) =>
      new Promise((resolve, reject) => {
        settle = {
          insert: () => {
            steps.push('record inserted');
            resolve(record);
          },
          fail: () => reject(new Error('connection lost')),
        };
      }),
  };
  const writer = {
    update: async (_id: string, _generation: number, patch: RecordPatch) => {
      steps.push(`record ${patch.status}`);
    },
  };
  const type = {
    name: 'workflows.dispatch',
    queue: 'workflows',
    schema: {},
    handler: async () => {
      steps.push('handler');
      return { done: true };
    },
  };
  const jobs = new JobRunner(
    { get: () => type } as never,
    {} as never,
    records as never,
    writer as never,
    { track: () => undefined, untrack: () => undefined } as never,
    {} as never,
    { observe: () => undefined } as never,
    {} as never,
  );
  const job = {
    id: '7',
    name: type.name,
    data: { internal: true, params: { run_id: 'r' } },
    attemptsMade: 0,
    opts: { attempts: 3 },
  } as unknown as Job<JobPayload>;
  return {
    steps,
    run: () => jobs['run'](job),
    insert: () => settle!.insert(),
    fail: () => settle!.fail(),
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('JobRunner', () => {
  it('runs an internal job beside the INSERT of its record; the record changes follow the INSERT', async () => {
    const { steps, run, insert } = runner();
    expect(await run()).toEqual({ done: true });
    await settled();
    expect(steps).toEqual(['handler']);
    insert();
    await settled();
    expect(steps).toEqual(['handler', 'record inserted', 'record active', 'record completed']);
  });

  it('still runs the job when its record cannot be written, and writes nothing to it', async () => {
    const { steps, run, fail } = runner();
    const done = run();
    fail();
    expect(await done).toEqual({ done: true });
    await settled();
    expect(steps).toEqual(['handler']);
  });
});
