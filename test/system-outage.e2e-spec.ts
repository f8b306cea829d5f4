import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { apiKey } from './support/identities.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { sleep } from './support/poll.js';

/**
 * PostgreSQL and Redis made unreachable for one app by cutting a TCP proxy in front
 * of them (the shared servers keep running for everyone else).
 */
describe('system health through outages of PostgreSQL and Redis', () => {
  let stores: TestStores;
  let app: TestApp;
  let postgres: TcpProxy;
  let redis: TcpProxy;

  beforeAll(async () => {
    stores = await createTestStores();
    const databaseUrl = new URL(stores.env.DATABASE_URL!);
    const redisUrl = new URL(stores.env.REDIS_URL!);
    postgres = await TcpProxy.start(databaseUrl.hostname, Number(databaseUrl.port || 5432));
    redis = await TcpProxy.start(redisUrl.hostname, Number(redisUrl.port || 6379));
    app = await startTestApp(stores, {
      DATABASE_URL: postgres.url(stores.env.DATABASE_URL!),
      REDIS_URL: redis.url(stores.env.REDIS_URL!),
    });
  });

  afterAll(async () => {
    postgres?.restore();
    redis?.restore();
    await app?.close();
    await postgres?.close();
    await redis?.close();
    await stores?.drop();
  });

  const health = () => app.http().get('/api/v2/system/health').set(apiKey(TEST_ADMIN_KEY));

  async function timedHealth() {
    const started = Date.now();
    const response = await health();
    return { response, elapsed: Date.now() - started };
  }

  async function recovers(timeoutMs = 20_000): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if ((await health()).status === 200) return Date.now() - started;
      await sleep(250);
    }
    throw new Error(`health did not recover within ${timeoutMs} ms`);
  }

  it('is healthy through the proxies', async () => {
    // Also verifies the admin key, so the credential check is cached for the outages below.
    const { body } = await health().expect(200);
    expect(body.status).toBe('ok');
  });

  it('answers 503 within 2 s naming the database while PostgreSQL hangs, and recovers on its own', async () => {
    postgres.cut('blackhole');
    try {
      const { response, elapsed } = await timedHealth();
      expect(response.status).toBe(503);
      expect(elapsed).toBeLessThan(2_000);
      expect(response.body).toMatchObject({ status_code: 503, error: 'Service Unavailable' });
      expect(response.body.details).toEqual([
        { field: 'database', message: expect.stringMatching(/timeout/i) },
      ]);
      expect(response.body.checks.redis.status).toBe('up');
      expect(response.body.checks.database.status).toBe('down');
      // Liveness does not depend on PostgreSQL.
      await app.http().get('/health').expect(200);
      // Measured metrics still answer: the sections that need PostgreSQL are named.
      const started = Date.now();
      const metrics = await app.http().get('/api/v2/system/metrics').set(apiKey(TEST_ADMIN_KEY));
      expect(metrics.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(metrics.body.unavailable.map((u: { field: string }) => u.field)).toContain('api');
      expect(metrics.body.host.cpus).toBeGreaterThan(0);
      // So does v1 status, with the figures it could not get as null.
      const statusStarted = Date.now();
      const status = await app.http().get('/api/v1/system/status').set(apiKey(TEST_ADMIN_KEY));
      expect(status.status).toBe(200);
      expect(Date.now() - statusStarted).toBeLessThan(2_500);
      expect(status.body).toMatchObject({ status: 'running', agents: null, workflows: null });
    } finally {
      postgres.restore();
    }
    expect(await recovers()).toBeLessThan(20_000);
  });

  it('answers 503 at once naming the database when PostgreSQL refuses connections', async () => {
    postgres.cut('reset');
    try {
      const { response, elapsed } = await timedHealth();
      expect(response.status).toBe(503);
      expect(elapsed).toBeLessThan(2_000);
      expect(response.body.details.map((d: { field: string }) => d.field)).toEqual(['database']);
      await app.http().get('/health').expect(200);
    } finally {
      postgres.restore();
    }
    await recovers();
  });

  it('answers 503 within 2 s naming Redis (and the queues on it), and recovers on its own', async () => {
    redis.cut('reset');
    try {
      const { response, elapsed } = await timedHealth();
      expect(response.status).toBe(503);
      expect(elapsed).toBeLessThan(2_000);
      const failing = response.body.details.map((d: { field: string }) => d.field).sort();
      expect(failing).toEqual(['queues', 'redis']);
      expect(response.body.message).toMatch(/redis/);
      expect(response.body.checks.database.status).toBe('up');
      await app.http().get('/health').expect(200);
    } finally {
      redis.restore();
    }
    await recovers();
    const { body } = await health().expect(200);
    expect(body.details.redis.status).toBe('up');
  });
});
