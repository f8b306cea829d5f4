import { randomUUID } from 'node:crypto';
import Bull from 'bull';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  spawnService,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { waitForJob } from './support/jobs.js';
import { apiKey } from './support/identities.js';
import { startPrivateRedis, PrivateRedis } from './support/redis-server.js';
import { connectSocket } from './support/socket.js';
import { registerTestJobs } from './support/test-jobs.js';
import { pollUntil, sleep } from './support/poll.js';
import { QUEUES } from '../src/jobs/queues.js';
import { RedisService } from '../src/redis/redis.service.js';

const admin = apiKey(TEST_ADMIN_KEY);

/** Old finished job records for the cleanup job to chew on. */
async function seedOldRecords(url: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    `INSERT INTO background_tasks (id, task_name, queue, status, priority, created_at, started_at, completed_at)
     SELECT gen_random_uuid(), 'system.cleanup', 'system', 'completed', 'normal',
            now() - interval '40 days', now() - interval '40 days', now() - interval '40 days'
     FROM generate_series(1, $1)`,
    [count],
  );
  await client.end();
}

async function countOld(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM background_tasks WHERE completed_at < now() - interval '30 days'`,
  );
  await client.end();
  return rows[0].n;
}

describe('jobs across processes', () => {
  let stores: TestStores;
  let api: TestApp;

  beforeAll(async () => {
    stores = await createTestStores();
    api = await startTestApp(stores, { ROLE: 'api' });
  });

  afterAll(async () => {
    await api?.close();
    await stores?.drop();
  });

  it('runs a REST-submitted job in a separate worker and streams its progress and completion', async () => {
    await seedOldRecords(stores.env.DATABASE_URL!, 20_000);
    const worker = await spawnService({ ...stores.env, ROLE: 'worker' });
    try {
      const socket = await connectSocket(api.url, { token: TEST_ADMIN_KEY, rooms: ['jobs'] });
      const { body: job } = await api
        .http()
        .post('/api/v2/background-tasks')
        .set(admin)
        .send({ task_name: 'system.cleanup', parameters: { older_than_days: 30 } })
        .expect(201);
      const done = await socket.waitFor(
        'job_update',
        (e) => e.data.job.id === job.id && e.data.event === 'completed',
        30_000,
      );
      const events = socket
        .events('job_update')
        .filter((e) => e.data.job.id === job.id)
        .map((e) => e.data.event);
      expect(events).toEqual(
        expect.arrayContaining(['created', 'started', 'progress', 'completed']),
      );
      expect(done.data.job.result.deleted.background_tasks).toBe(20_000);
      const record = await waitForJob(api, job.id, ['completed']);
      expect(record.started_at).not.toBeNull();
      expect(record.duration_ms).toBeGreaterThan(0);
      expect(await countOld(stores.env.DATABASE_URL!)).toBe(0);
      socket.close();
    } finally {
      await worker.stop();
    }
  });

  it('fails the record of a job whose type the worker does not know, instead of leaving it waiting', async () => {
    // The API knows test.slow (registered in this process); the compiled worker does not,
    // as during a rolling deploy where workers still run the previous version.
    registerTestJobs(api);
    const worker = await spawnService({ ...stores.env, ROLE: 'worker' });
    try {
      const { body: job } = await api
        .http()
        .post('/api/v2/background-tasks')
        .set(admin)
        .send({ task_name: 'test.slow', parameters: { steps: 1 } })
        .expect(201);
      const record = await waitForJob(api, job.id, ['failed', 'completed'], 15_000);
      expect(record.status).toBe('failed');
      expect(record.error).toMatch(/unknown job type test\.slow/);
    } finally {
      await worker.stop();
    }
  });

  it('settles a waiting record whose job Bull already finished (its outcome was never written)', async () => {
    const worker = await spawnService({ ...stores.env, ROLE: 'worker' });
    try {
      const { body: job } = await api
        .http()
        .post('/api/v2/background-tasks')
        .set(admin)
        .send({ task_name: 'system.cleanup', parameters: { older_than_days: 365 } })
        .expect(201);
      await waitForJob(api, job.id, ['completed']);
      // As if the worker had died between finishing the job and writing the record.
      const client = new pg.Client({ connectionString: stores.env.DATABASE_URL });
      await client.connect();
      await client.query(
        `UPDATE background_tasks SET status = 'pending', completed_at = NULL,
                updated_at = now() - interval '1 minute' WHERE id = $1`,
        [job.id],
      );
      await client.end();
      // Settled by the reconciler once the job finished more than 10 s ago (before that,
      // its outcome is left to the worker's own write).
      const record = await waitForJob(api, job.id, ['completed'], 30_000);
      expect(record.completed_at).not.toBeNull();
    } finally {
      await worker.stop();
    }
  });

  it('skips a job cancelled while the worker holding it was gone, when another worker takes it up', async () => {
    // A worker that takes the job and vanishes: it holds the job's lock for a second and never runs it.
    const vanished = new Bull(QUEUES.files, stores.env.REDIS_URL!, {
      prefix: api.service.app.get(RedisService).key('bull'),
      settings: { lockDuration: 1_000 },
    });
    try {
      // files.validate starts from its job's payload, without reading its record.
      const { body: job } = await api
        .http()
        .post('/api/v2/background-tasks')
        .set(admin)
        .send({ task_name: 'files.validate', parameters: { file_id: randomUUID() } })
        .expect(201);
      const held = await vanished.getNextJob();
      expect(held?.data).toMatchObject({ recordId: job.id });
      // Nobody answers the cancel: the record is cancelled after the wait.
      const { body: cancelled } = await api
        .http()
        .post(`/api/v2/background-tasks/${job.id}/cancel`)
        .set(admin)
        .expect(200);
      expect(cancelled.status).toBe('cancelled');

      const worker = await spawnService({
        ...stores.env,
        ROLE: 'worker',
        JOB_LOCK_DURATION_MS: '2000',
      });
      try {
        // The worker's stalled-job check (every second here) hands the job back; it must not run it.
        const finished = await pollUntil(
          () => vanished.getJob(held!.id),
          (bullJob) => !!bullJob?.finishedOn,
          { timeoutMs: 20_000 },
        );
        expect(finished?.returnvalue).toEqual({
          skipped: 'the record was cancelled or retried meanwhile',
        });
        const { body: record } = await api
          .http()
          .get(`/api/v2/background-tasks/${job.id}`)
          .set(admin)
          .expect(200);
        expect(record).toMatchObject({ status: 'cancelled', attempts: 0, started_at: null });
      } finally {
        await worker.stop();
      }
    } finally {
      await vanished.close();
    }
  });

  it('recovers a job whose worker is killed mid-run: completed once, with the true count', async () => {
    await seedOldRecords(stores.env.DATABASE_URL!, 100_000);
    const env = { ...stores.env, ROLE: 'worker', JOB_LOCK_DURATION_MS: '2000' };
    const first = await spawnService(env);
    const { body: job } = await api
      .http()
      .post('/api/v2/background-tasks')
      .set(admin)
      .send({ task_name: 'system.cleanup', parameters: { older_than_days: 30 } })
      .expect(201);
    const client = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    await client.connect();
    const holder = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { rows } = await client.query<{ checkpoint: unknown }>(
          'SELECT checkpoint FROM background_tasks WHERE id = $1',
          [job.id],
        );
        if (rows[0]?.checkpoint) break;
        if (Date.now() > deadline) throw new Error('the job never wrote a checkpoint');
        await sleep(10);
      }
      // Holding the job's row stops the run at its next checkpoint (inside a batch's
      // transaction), so the kill lands mid-job however fast the machine is.
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM background_tasks WHERE id = $1 FOR UPDATE', [job.id]);
      for (;;) {
        const { rows } = await client.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
         AND wait_event_type = 'Lock' AND query LIKE '%SET "checkpoint"%'`,
        );
        if (rows.length) break;
        if (Date.now() > deadline) throw new Error('the job never reached its next checkpoint');
        await sleep(20);
      }
      await first.stop('SIGKILL');
      await holder.query('COMMIT');
    } finally {
      // Closed however the wait ended: a connection left open dies with the test database.
      await holder.end().catch(() => undefined);
      await client.end().catch(() => undefined);
      await first.stop('SIGKILL');
    }
    expect(await countOld(stores.env.DATABASE_URL!)).toBeGreaterThan(0);

    const second = await spawnService(env);
    try {
      const record = await waitForJob(api, job.id, ['completed', 'failed'], 60_000);
      expect(record.status).toBe('completed');
      expect(record.attempts).toBe(2);
      expect(record.result.deleted.background_tasks).toBe(100_000);
      expect(await countOld(stores.env.DATABASE_URL!)).toBe(0);
    } finally {
      await second.stop();
    }
    // Seeding and deleting 100,000 rows twice, and a worker's restart: slow when the whole suite runs.
  }, 150_000);
});

describe('jobs after Redis loses everything', () => {
  let stores: TestStores;
  let redis: PrivateRedis;
  let api: TestApp;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    stores = await createTestStores();
    stores.env.REDIS_URL = redis.url;
    api = await startTestApp(stores, { ROLE: 'api' });
  });

  afterAll(async () => {
    await api?.close();
    await redis?.stop();
    await stores?.drop();
  });

  it('serves finished records from PostgreSQL and re-enqueues pending ones after FLUSHALL', async () => {
    const submit = () =>
      api
        .http()
        .post('/api/v2/background-tasks')
        .set(admin)
        .send({ task_name: 'system.cleanup', parameters: { older_than_days: 365 } })
        .expect(201);
    const worker = await spawnService({ ...stores.env, ROLE: 'worker' });
    const { body: finished } = await submit();
    await waitForJob(api, finished.id, ['completed']);
    await worker.stop();

    const pending = await Promise.all([submit(), submit(), submit()]);
    await redis.flushAll();

    const { body: record } = await api
      .http()
      .get(`/api/v2/background-tasks/${finished.id}`)
      .set(admin)
      .expect(200);
    expect(record.status).toBe('completed');
    const { body: stats } = await api
      .http()
      .get('/api/v2/background-tasks/statistics')
      .set(admin)
      .expect(200);
    expect(stats.by_status).toMatchObject({ completed: 1, pending: 3 });
    const { body: queues } = await api
      .http()
      .get('/api/v2/background-tasks/queue-status')
      .set(admin)
      .expect(200);
    expect(queues.queues.find((q: { name: string }) => q.name === 'system').waiting).toBe(0);

    const again = await spawnService({ ...stores.env, ROLE: 'worker' });
    try {
      for (const { body } of pending) await waitForJob(api, body.id, ['completed'], 30_000);
    } finally {
      await again.stop();
    }
  });
});
