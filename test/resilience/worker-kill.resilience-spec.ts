import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStores, SpawnedApp, spawnService, TestStores } from '../support/app.js';
import { recordFault } from './support/faults.js';
import { Api } from './support/http.js';
import { eventually, LoadLoop } from './support/load.js';

const SEEDED = 100_000;

/**
 * A worker killed (SIGKILL) in the middle of a long job while another worker runs:
 * Bull sees the lock lapse, the other worker takes the job up from its checkpoint,
 * and it completes once, with the true totals. (test/jobs-processes.e2e-spec.ts
 * covers the same with the second worker started after the kill.)
 */
describe('worker killed mid-job', () => {
  let stores: TestStores;
  let database: pg.Client;
  const workers: SpawnedApp[] = [];
  let service: SpawnedApp;
  let api: Api;
  let holder: pg.Client | undefined;

  beforeAll(async () => {
    stores = await createTestStores();
    database = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    await database.connect();
    service = await spawnService({ ...stores.env, ROLE: 'api' });
    api = new Api(service.url);
  });

  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    api?.close();
    await Promise.all([service, ...workers].map((process) => process?.stop()));
    await database?.end();
    await stores?.drop();
  });

  const countOld = async () =>
    (
      await database.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM background_tasks WHERE completed_at < now() - interval '30 days'`,
      )
    ).rows[0].n;

  it('is taken up by the surviving worker and completes once, with the true count', async () => {
    await database.query(
      `INSERT INTO background_tasks (id, task_name, queue, status, priority, created_at, started_at, completed_at)
       SELECT gen_random_uuid(), 'system.cleanup', 'system', 'completed', 'normal',
              now() - interval '40 days', now() - interval '40 days', now() - interval '40 days'
       FROM generate_series(1, $1)`,
      [SEEDED],
    );
    const env = { ...stores.env, ROLE: 'worker', JOB_LOCK_DURATION_MS: '2000' };
    workers.push(await spawnService(env));
    const load = new LoadLoop(
      { concurrency: 3, maxRequests: 3_000, maxMs: 60_000, pauseMs: 50 },
      async () => ({ label: 'read', status: (await api.get('/api/v2/background-tasks')).status }),
    ).start();

    const submitted = await api.post('/api/v2/background-tasks', {
      task_name: 'system.cleanup',
      parameters: { older_than_days: 30 },
    });
    expect(submitted.status).toBe(201);
    const id: string = submitted.json.id;
    await eventually(
      'a batch checkpointed',
      async () => {
        const { rows } = await database.query<{ deleted: number | null }>(
          `SELECT (checkpoint #>> '{deleted,background_tasks}')::int AS deleted
           FROM background_tasks WHERE id = $1`,
          [id],
        );
        return rows[0]?.deleted ? true : undefined;
      },
      30_000,
      10,
    );
    // Holding the job's own row stops the run at its next checkpoint, inside the
    // transaction of a batch: the kill always lands mid-job, that batch uncommitted.
    holder = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM background_tasks WHERE id = $1 FOR UPDATE', [id]);
    await eventually(
      'the run waits on the held row',
      async () => {
        const { rows } = await database.query(
          `SELECT 1 FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%SET "checkpoint"%'`,
        );
        return rows.length ? true : undefined;
      },
      30_000,
      50,
    );
    // The survivor is up before the kill, so it is the one that takes the job over.
    workers.push(await spawnService(env));
    await workers[0].stop('SIGKILL');
    recordFault('worker SIGKILL');
    await holder.query('COMMIT');
    await holder.end();
    holder = undefined;

    const record = await eventually(
      'the job finished',
      async () => {
        const { json } = await api.get(`/api/v2/background-tasks/${id}`);
        return ['completed', 'failed'].includes(json?.status) ? json : undefined;
      },
      60_000,
      200,
    );
    const outcomes = await load.stop();
    expect(record.status).toBe('completed');
    expect(record.attempts).toBe(2);
    expect(record.result.deleted.background_tasks).toBe(SEEDED);
    expect(await countOld()).toBe(0);
    expect(workers[1].proc.exitCode).toBeNull();
    expect(outcomes.every((o) => o.status === 200)).toBe(true);

    // Completed once: one `completed` event in the history, after a start per attempt.
    const { json: history } = await api.get(
      `/api/v2/websocket/event-history?room=job:${id}&limit=1000`,
    );
    const events = history.events.map((e: { data: { event: string } }) => e.data.event);
    expect(events.filter((e: string) => e === 'completed')).toHaveLength(1);
    expect(events.filter((e: string) => e === 'failed')).toHaveLength(0);
  });
});
