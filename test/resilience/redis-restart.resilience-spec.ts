import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/common/async.js';
import { createTestStores, SpawnedApp, spawnService, TestStores } from '../support/app.js';
import { startPrivateRedis, PrivateRedis } from '../support/redis-server.js';
import { connectSocket } from '../support/socket.js';
import { recordFault } from './support/faults.js';
import { Api, HANG_MS } from './support/http.js';
import { countByStatus, eventually, LoadLoop, serverErrors } from './support/load.js';

const OUTAGE_MS = 4_000;

/**
 * A private redis-server killed and started again on the same port while two API
 * instances and a worker are under load. Redis here keeps nothing on disk, so the
 * restart also loses every queue, lock, counter and cache entry.
 */
describe('Redis restarted under load', () => {
  let stores: TestStores;
  let redis: PrivateRedis;
  const processes: SpawnedApp[] = [];
  let a: Api;
  let b: Api;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    stores = await createTestStores();
    const env = {
      ...stores.env,
      REDIS_URL: redis.url,
      // Internal repeatable jobs often enough to see them run again after the restart.
      METRICS_INTERVAL_SECONDS: '2',
    };
    processes.push(
      ...(await Promise.all([
        spawnService({ ...env, ROLE: 'api' }),
        spawnService({ ...env, ROLE: 'api' }),
        spawnService({ ...env, ROLE: 'worker' }),
      ])),
    );
    a = new Api(processes[0].url);
    b = new Api(processes[1].url);
  });

  afterAll(async () => {
    a?.close();
    b?.close();
    await Promise.all(processes.map((process) => process.stop()));
    await redis?.stop().catch(() => undefined);
    await stores?.drop();
  });

  async function submitJob(api: Api, delayMs = 0) {
    return api.post('/api/v2/background-tasks', {
      task_name: 'system.cleanup',
      parameters: { older_than_days: 365 },
      ...(delayMs ? { delay_ms: delayMs } : {}),
    });
  }

  async function snapshotsRecorded(): Promise<number> {
    const client = new pg.Client({ connectionString: stores.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM system_metrics',
      );
      return rows[0].n;
    } finally {
      await client.end();
    }
  }

  it('serves what does not need Redis, answers 503 at once for what does, recovers, and loses no job', async () => {
    // Before: a key B has verified (and caches), a socket on B, jobs waiting in Redis.
    const keyToRevokeLive = (await a.post('/api/v2/auth/api-keys', { name: 'k1', role: 'viewer' }))
      .json;
    const keyToRevokeDuring = (
      await a.post('/api/v2/auth/api-keys', { name: 'k2', role: 'viewer' })
    ).json;
    for (const key of [keyToRevokeLive, keyToRevokeDuring])
      expect((await b.withKey(key.key).get('/api/v2/agents')).status).toBe(200);
    const socket = await connectSocket(b.url, { token: 'test-admin-key-0123456789abcdef' });
    const acknowledged: string[] = [];
    for (let i = 0; i < 3; i++) {
      const delayed = await submitJob(a, 5_000);
      expect(delayed.status).toBe(201);
      acknowledged.push(delayed.json.id);
    }

    const load = new LoadLoop(
      { concurrency: 6, maxRequests: 5_000, maxMs: 60_000, pauseMs: 25 },
      async (index) => {
        const api = index % 2 ? a : b;
        switch (index % 5) {
          case 0:
            return { label: 'read', status: (await api.get('/api/v2/agents?limit=5')).status };
          case 1:
            return { label: 'read', status: (await api.get('/api/v2/tasks?limit=5')).status };
          case 2: {
            const response = await api.post('/api/v2/tasks', { title: `load ${index}` });
            return { label: 'write', status: response.status };
          }
          case 3: {
            const response = await submitJob(api);
            if (response.status === 201) acknowledged.push(response.json.id);
            return { label: 'job', status: response.status };
          }
          default:
            return {
              label: 'queues',
              status: (await api.get('/api/v2/background-tasks/queue-status')).status,
            };
        }
      },
    ).start();

    await sleep(2_000);
    const killedAt = Date.now();
    await redis.kill();
    recordFault('redis killed');
    // Revoked while Redis is away: the broadcast cannot go out now.
    expect((await a.delete(`/api/v2/auth/api-keys/${keyToRevokeDuring.id}`)).status).toBe(204);
    await sleep(OUTAGE_MS);
    redis = await startPrivateRedis(redis.port);
    recordFault('redis restarted');
    const restartedAt = Date.now();
    await sleep(6_000);
    const outcomes = await load.stop();

    // No crash, no hang, no 500: every answer is a success or a 503.
    for (const process of processes) expect(process.proc.exitCode).toBeNull();
    const bad = outcomes.filter((o) => ![200, 201, 503].includes(o.status));
    expect(
      bad,
      `${JSON.stringify(countByStatus(bad))}\n${processes.map((p) => serverErrors(p.output())).join('\n')}`,
    ).toEqual([]);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(HANG_MS);

    // During the outage: reads and writes that need only PostgreSQL are served (rate
    // limits and the cache step aside); the queue board needs Redis and says so, fast.
    const during = load.between(killedAt + 500, restartedAt);
    const of = (label: string) => during.filter((o) => o.label === label);
    expect(of('read').length).toBeGreaterThan(5);
    expect(countByStatus(of('read'))).toEqual({ 200: of('read').length });
    expect(countByStatus(of('write'))).toEqual({ 201: of('write').length });
    expect(of('queues').length).toBeGreaterThan(0);
    expect(countByStatus(of('queues'))).toEqual({ 503: of('queues').length });
    expect(Math.max(...of('queues').map((o) => o.ms))).toBeLessThan(3_500);
    // A job submitted meanwhile is recorded (201) or refused (503), within the enqueue bound.
    expect(Math.max(...of('job').map((o) => o.ms))).toBeLessThan(4_000);

    // After: both instances ready again, and everything answered since the restart settled.
    for (const api of [a, b])
      await eventually(
        'ready again',
        async () => ((await api.get('/health/ready')).status === 200 ? true : undefined),
        20_000,
      );
    const after = load.between(restartedAt + 5_000, Date.now());
    expect(
      after.every((o) => o.status !== 503),
      JSON.stringify(countByStatus(after)),
    ).toBe(true);

    // Every acknowledged job, queued before or during the outage, completes: the
    // reconciler puts back what Redis lost.
    await eventually(
      `${acknowledged.length} jobs completed`,
      async () => {
        for (const id of acknowledged) {
          const { json } = await a.get(`/api/v2/background-tasks/${id}`);
          if (json?.status !== 'completed') return undefined;
        }
        return true;
      },
      60_000,
      1_000,
    );

    // The invalidation subscriber is back: a revocation reaches B within a second.
    expect((await a.delete(`/api/v2/auth/api-keys/${keyToRevokeLive.id}`)).status).toBe(204);
    const revokedAt = Date.now();
    await eventually(
      'revocation reached B',
      async () =>
        (await b.withKey(keyToRevokeLive.key).get('/api/v2/agents')).status === 401
          ? true
          : undefined,
      5_000,
      100,
    );
    expect(Date.now() - revokedAt).toBeLessThan(1_500);
    // The one revoked while Redis was away is refused by B too.
    expect((await b.withKey(keyToRevokeDuring.key).get('/api/v2/agents')).status).toBe(401);

    // The Socket.IO adapter is back: A sees the socket held by B.
    await eventually(
      'A lists B’s socket',
      async () => {
        const { status, json } = await a.get('/api/v2/websocket/connections');
        return status === 200 && json.connections.some((c: { id: string }) => c.id === socket.id)
          ? true
          : undefined;
      },
      10_000,
    );
    socket.close();

    // The service's own repeatable jobs run again (their schedule lived in Redis).
    console.log(
      `redis restart: ${outcomes.length} requests (${JSON.stringify(countByStatus(outcomes))}), ` +
        `${during.length} answered while Redis was away, ${acknowledged.length} jobs completed`,
    );
    const snapshots = await snapshotsRecorded();
    await eventually(
      'metrics snapshots resume',
      async () => ((await snapshotsRecorded()) > snapshots + 1 ? true : undefined),
      15_000,
      500,
    );
  });
});
