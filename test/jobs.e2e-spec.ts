import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { testRedisUrl } from './support/env.js';
import { runJob, waitForJob } from './support/jobs.js';
import { pollUntil, sleep } from './support/poll.js';
import { apiKey, createApiKey } from './support/identities.js';
import { connectSocket } from './support/socket.js';
import { registerTestJobs } from './support/test-jobs.js';
import { JobQueues } from '../src/jobs/job-queues.service.js';
import { JobReconciler } from '../src/jobs/job-reconciler.service.js';
import { JobRecordWriter } from '../src/jobs/job-record-writer.service.js';
import { QUEUES } from '../src/jobs/queues.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** The records of a job type's runs for one `key` parameter (read only). */
const RECORDS_OF = `SELECT status, attempts FROM background_tasks
  WHERE task_name = $1 AND parameters->>'key' = $2 ORDER BY created_at`;
/** …of them, those the reconciler looks at: waiting for longer than its 3 s of grace. */
const DELAYED_FOR = `SELECT id FROM background_tasks WHERE task_name = $1 AND parameters->>'key' = $2
  AND status = 'delayed' AND updated_at < now() - interval '3.5 seconds'`;

describe('background tasks', () => {
  let stores: TestStores;
  let app: TestApp;
  let operator: string;
  let viewer: string;
  let flaky: ReturnType<typeof registerTestJobs>;
  const admin = apiKey(TEST_ADMIN_KEY);

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores);
    flaky = registerTestJobs(app);
    operator = (await createApiKey(app.url, 'operator')).key;
    viewer = (await createApiKey(app.url, 'viewer')).key;
  });

  afterAll(async () => {
    await app?.close();
    await stores?.drop();
  });

  const submit = (body: object, key = operator) =>
    app.http().post('/api/v2/background-tasks').set(apiKey(key)).send(body);

  const waitForStatus = (id: string, statuses: string[], timeoutMs = 10_000) =>
    waitForJob(app, id, statuses, timeoutMs);

  it('lists the catalogue with parameter schemas', async () => {
    const { body } = await app
      .http()
      .get('/api/v2/background-tasks/types')
      .set(apiKey(viewer))
      .expect(200);
    const cleanup = body.types.find((type: { name: string }) => type.name === 'system.cleanup');
    expect(cleanup).toMatchObject({
      queue: 'system',
      required_role: 'admin',
      timeout_seconds: 1800,
      parameters_schema: { required: ['older_than_days'] },
    });
  });

  it('refuses bad submissions and unknown ids clearly', async () => {
    const unknown = await submit({ task_name: 'no.such.job', parameters: {} }).expect(400);
    expect(unknown.body.details).toEqual([
      { field: 'task_name', message: 'is not a known job type' },
    ]);
    const badParams = await submit(
      { task_name: 'system.cleanup', parameters: { older_than_days: 'soon' } },
      TEST_ADMIN_KEY,
    ).expect(400);
    expect(badParams.body.details[0].field).toBe('parameters.older_than_days');
    const extra = await submit(
      { task_name: 'system.cleanup', parameters: { older_than_days: 1, everything: true } },
      TEST_ADMIN_KEY,
    ).expect(400);
    expect(extra.body.details.map((d: { field: string }) => d.field)).toContain(
      'parameters.everything',
    );
    await submit({ task_name: 'system.cleanup', parameters: { older_than_days: 1 } }).expect(403);
    await submit({ task_name: 'system.cleanup' }, viewer).expect(403);
    await app.http().get(`/api/v2/background-tasks/${UNKNOWN_ID}`).set(admin).expect(404);
    await app.http().get('/api/v2/background-tasks/not-a-uuid').set(admin).expect(400);
    await app.http().post('/api/v2/background-tasks/queues/nope/pause').set(admin).expect(404);
    await app.http().post(`/api/v2/background-tasks/${UNKNOWN_ID}/cancel`).set(admin).expect(404);
  });

  it('runs a job, streams its progress to job:<id>, and keeps result and timings', async () => {
    const socket = await connectSocket(app.url, { token: operator });
    await socket.ack('join_room', { room: 'jobs' });
    const { body: job } = await submit({
      task_name: 'test.slow',
      parameters: { steps: 5, step_ms: 60 },
    }).expect(201);
    expect(job).toMatchObject({
      status: 'pending',
      task_name: 'test.slow',
      progress: 0,
      internal: false,
    });
    await socket.ack('join_room', { room: `job:${job.id}` });
    const completed = await socket.waitFor(
      'job_update',
      (e) => e.data.job.id === job.id && e.data.event === 'completed',
      10_000,
    );
    expect(completed.rooms).toEqual(['jobs', `job:${job.id}`]);
    const events = socket
      .events('job_update')
      .filter((e) => e.data.job.id === job.id)
      .map((e) => e.data.event);
    expect(events[0]).toBe('created');
    expect(events).toContain('progress');
    expect(events.at(-1)).toBe('completed');
    const record = await waitForStatus(job.id, ['completed']);
    expect(record).toMatchObject({
      result: { steps_done: 5 },
      progress: 100,
      attempts: 1,
      error: null,
    });
    expect(record.duration_ms).toBeGreaterThanOrEqual(250);
    const logs = await app
      .http()
      .get(`/api/v2/background-tasks/${job.id}/logs`)
      .set(admin)
      .expect(200);
    expect(logs.body.logs[0]).toMatchObject({ message: 'started counting', attempt: 1 });
    socket.close();
  });

  it('cancels a waiting job, a running job (within a second), and refuses a finished one', async () => {
    const { body: waiting } = await submit({
      task_name: 'test.slow',
      parameters: { steps: 1 },
      delay_ms: 60_000,
    }).expect(201);
    expect(waiting.status).toBe('delayed');
    const cancelledWaiting = await app
      .http()
      .post(`/api/v2/background-tasks/${waiting.id}/cancel`)
      .set(apiKey(operator))
      .expect(200);
    expect(cancelledWaiting.body.status).toBe('cancelled');

    const { body: running } = await submit({
      task_name: 'test.slow',
      parameters: { steps: 200, step_ms: 50 },
    }).expect(201);
    await waitForStatus(running.id, ['active']);
    const started = Date.now();
    const cancelled = await app
      .http()
      .post(`/api/v2/background-tasks/${running.id}/cancel`)
      .set(apiKey(operator))
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(1_000);
    const record = await waitForStatus(running.id, ['cancelled']);
    expect(record.progress).toBeLessThan(100);

    const refused = await app
      .http()
      .post(`/api/v2/background-tasks/${running.id}/cancel`)
      .set(apiKey(operator))
      .expect(409);
    expect(refused.body.message).toMatch(/cancelled/);
  });

  it('retries a failed job as a new attempt and refuses to retry a completed one', async () => {
    const { body: job } = await submit({ task_name: 'test.flaky', max_retries: 0 }).expect(201);
    const failed = await waitForStatus(job.id, ['failed']);
    expect(failed).toMatchObject({ error: 'first run fails', attempts: 1 });
    await app
      .http()
      .post(`/api/v2/background-tasks/${job.id}/retry`)
      .set(apiKey(operator))
      .expect(200);
    const completed = await waitForStatus(job.id, ['completed']);
    expect(completed).toMatchObject({
      attempts: 2,
      error: null,
      result: { runs: flaky.flakyRuns() },
    });
    await app
      .http()
      .post(`/api/v2/background-tasks/${job.id}/retry`)
      .set(apiKey(operator))
      .expect(409);
  });

  it('keeps one record for an internal job queued without one (as a dispatch is), through its retry', async () => {
    // Queued as the service queues its own work: parameters only, the record made when it runs.
    await app.service.app
      .get(JobQueues)
      .add(
        QUEUES.system,
        'test.fails_once',
        { internal: true, params: { key: randomUUID() } },
        { attempts: 3, backoff: { type: 'fixed', delay: 50 }, removeOnComplete: true },
      );
    const list = () =>
      app
        .http()
        .get('/api/v2/background-tasks?task_name=test.fails_once&include_internal=true')
        .set(admin)
        .expect(200)
        .then(({ body }) => body.data as { status: string }[]);
    const records = await pollUntil(
      list,
      (items) => items.some((record) => record.status === 'completed'),
      { timeoutMs: 15_000 },
    );
    expect(records).toEqual([
      expect.objectContaining({
        status: 'completed',
        attempts: 2,
        max_retries: 2,
        error: null,
        result: { attempt: 2 },
      }),
    ]);
  });

  it('leaves a delayed internal job to its own retry when reconciling (no second copy of it runs)', async () => {
    const key = randomUUID();
    await app.service.app
      .get(JobQueues)
      .add(
        QUEUES.system,
        'test.fails_once',
        { internal: true, params: { key } },
        { attempts: 2, backoff: { type: 'fixed', delay: 5_000 }, removeOnComplete: true },
      );
    // The reconciler looks at records waiting for more than 3 s.
    const delayed = await pollUntil(
      () => app.service.app.get(DataSource).query(DELAYED_FOR, ['test.fails_once', key]),
      (rows: unknown[]) => rows.length > 0,
      { timeoutMs: 10_000 },
    );
    expect(delayed).toHaveLength(1);
    expect(await app.service.app.get(JobReconciler).reconcile()).toEqual({
      requeued: 0,
      settled: 0,
    });
    await pollUntil(
      () => app.service.app.get(DataSource).query(RECORDS_OF, ['test.fails_once', key]),
      (rows: { status: string }[]) => rows.some((row) => row.status === 'completed'),
      { timeoutMs: 15_000 },
    );
    await sleep(500);
    expect(
      await app.service.app.get(DataSource).query(RECORDS_OF, ['test.fails_once', key]),
    ).toEqual([{ status: 'completed', attempts: 2 }]);
    expect(flaky.runsOf(key)).toBe(2);
  });

  it('keeps a finished job finished whatever a late run of it writes (a job taken up again after a stall)', async () => {
    const done = await runJob(app, 'test.slow', { steps: 1, step_ms: 1 }, operator);
    expect(done.status).toBe('completed');
    const writer = app.service.app.get(JobRecordWriter);
    // What a second run of the same job writes: its start, then a failure to retry, or an outcome.
    const late = [
      { status: 'active', startedAt: new Date(), attemptsAdded: 1, error: null },
      { status: 'delayed', error: 'a late failure' },
      { status: 'failed', error: 'a late failure', completedAt: new Date() },
      { status: 'completed', result: { late: true }, completedAt: new Date() },
    ] as const;
    for (const patch of late) await writer.update(done.id, 0, patch, 'job.started', false);
    const { body: after } = await app
      .http()
      .get(`/api/v2/background-tasks/${done.id}`)
      .set(admin)
      .expect(200);
    expect(after).toEqual(done);
  });

  it('applies bulk operations per item, reporting unknown and duplicate ids', async () => {
    const { body: a } = await submit({
      task_name: 'test.slow',
      parameters: { steps: 1 },
      delay_ms: 60_000,
    }).expect(201);
    const { body: b } = await submit({
      task_name: 'test.slow',
      parameters: { steps: 1 },
      delay_ms: 60_000,
    }).expect(201);
    const { body } = await app
      .http()
      .post('/api/v2/background-tasks/bulk-operation')
      .set(apiKey(operator))
      .send({ task_ids: [a.id, b.id, UNKNOWN_ID, a.id], operation: 'cancel' })
      .expect(200);
    expect(body).toMatchObject({ operation: 'cancel', total_tasks: 4, successful: 2, failed: 2 });
    expect(body.results.map((r: { success: boolean }) => r.success)).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(body.results[2].error).toMatch(/not found/);
    expect(body.results[3].error).toMatch(/duplicate/);
    await app
      .http()
      .post('/api/v2/background-tasks/bulk-operation')
      .set(apiKey(operator))
      .send({ task_ids: [a.id], operation: 'explode' })
      .expect(400);
  });

  it('reports statistics and queue status from real data', async () => {
    const { body: stats } = await app
      .http()
      .get('/api/v2/background-tasks/statistics')
      .set(apiKey(viewer))
      .expect(200);
    expect(stats.by_status.completed).toBeGreaterThanOrEqual(2);
    expect(stats.by_status.cancelled).toBeGreaterThanOrEqual(4);
    expect(stats.by_type['test.slow']).toBeGreaterThanOrEqual(4);
    expect(stats.success_rate).toBeGreaterThan(0);
    expect(stats.average_duration_ms).toBeGreaterThan(0);
    const { body: queues } = await app
      .http()
      .get('/api/v2/background-tasks/queue-status')
      .set(apiKey(viewer))
      .expect(200);
    const system = queues.queues.find((queue: { name: string }) => queue.name === 'system');
    expect(system).toMatchObject({ paused: false, workers: 1 });
    expect(system.processing_rate_per_minute).toBeGreaterThanOrEqual(2);

    await app.http().post('/api/v2/background-tasks/queues/system/pause').set(admin).expect(200);
    const paused = await app
      .http()
      .get('/api/v2/background-tasks/queue-status')
      .set(admin)
      .expect(200);
    expect(
      paused.body.queues.find((queue: { name: string }) => queue.name === 'system').paused,
    ).toBe(true);
    await app.http().post('/api/v2/background-tasks/queues/system/resume').set(admin).expect(200);
    await app
      .http()
      .post('/api/v2/background-tasks/queues/system/pause')
      .set(apiKey(operator))
      .expect(403);
  });

  it('leaves internal jobs out of lists unless asked', async () => {
    const { body: visible } = await app
      .http()
      .get('/api/v2/background-tasks?limit=1000')
      .set(apiKey(viewer))
      .expect(200);
    expect(visible.data.every((job: { internal: boolean }) => !job.internal)).toBe(true);
    expect(visible.meta.total).toBe(visible.data.length);
    await app.http().get('/api/v2/background-tasks?sort_by=secret').set(apiKey(viewer)).expect(400);
    // A cached answer is the same answer, list headers included.
    const first = await app
      .http()
      .get('/api/v2/background-tasks?limit=2')
      .set(apiKey(viewer))
      .expect(200);
    const again = await app
      .http()
      .get('/api/v2/background-tasks?limit=2')
      .set(apiKey(viewer))
      .expect(200);
    expect([first.headers['x-cache'], again.headers['x-cache']]).toEqual(['MISS', 'HIT']);
    expect(again.headers['content-type']).toMatch(/^application\/json/);
    expect(again.body).toEqual(first.body);
    for (const header of ['x-total-count', 'x-page-size', 'x-current-page', 'x-total-pages']) {
      expect(again.headers[header]).toBe(first.headers[header]);
    }
  });

  it('cleans up finished records, with real counts, through the job and the endpoint', async () => {
    const { body: job } = await submit(
      { task_name: 'system.cleanup', parameters: { older_than_days: 0 } },
      TEST_ADMIN_KEY,
    ).expect(201);
    const done = await waitForStatus(job.id, ['completed']);
    expect(done.result.deleted.background_tasks).toBeGreaterThanOrEqual(6);
    expect(done.result.total_deleted).toBe(
      Object.values<number>(done.result.deleted).reduce((a, b) => a + b, 0),
    );
    const { body } = await app
      .http()
      .post('/api/v2/background-tasks/cleanup?older_than_days=0')
      .set(admin)
      .expect(200);
    expect(body.deleted).toBeGreaterThanOrEqual(1); // the cleanup job itself
    await app
      .http()
      .post('/api/v2/background-tasks/cleanup?older_than_days=-3')
      .set(admin)
      .expect(400);
  });

  it('serves the queue board to admins only, and to their browser through a session cookie', async () => {
    await request(app.url).get('/admin/queues').expect(401);
    await request(app.url).get('/admin/queues').set(apiKey(operator)).expect(403);
    const page = await request(app.url).get('/admin/queues').set(admin).expect(200);
    expect(page.text).toMatch(/<html/i);
    const session = await app
      .http()
      .post('/api/v2/background-tasks/board-session')
      .set(admin)
      .expect(200);
    const cookie = session.headers['set-cookie'][0];
    expect(cookie).toMatch(/subforge_board=.*HttpOnly/i);
    const viaCookie = await request(app.url)
      .get('/admin/queues')
      .set('Cookie', cookie.split(';')[0])
      .expect(200);
    expect(viaCookie.text).toMatch(/<html/i);
    const api = await request(app.url)
      .get('/admin/queues/api/queues')
      .set('Cookie', cookie.split(';')[0])
      .expect(200);
    expect(api.body.queues.map((queue: { name: string }) => queue.name)).toContain('system');
  });
});

describe('background tasks: shutdown', () => {
  it('closing the app closes every Redis connection its queues opened', async () => {
    const stores = await createTestStores();
    const redis = new Redis(testRedisUrl());
    try {
      const app = await startTestApp(stores);
      const prefix = app.env.REDIS_KEY_PREFIX!;
      const queueConnections = async () =>
        ((await redis.client('LIST')) as string)
          .split('\n')
          .filter((line) => line.includes(` name=${prefix}:`));
      await runJob(app, 'system.cleanup', { older_than_days: 30 });
      expect(await queueConnections()).not.toHaveLength(0);
      await app.close();
      expect(await pollUntil(queueConnections, (open) => open.length === 0)).toEqual([]);
    } finally {
      redis.disconnect();
      await stores.drop();
    }
  });
});
