import { resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/common/async.js';
import { SpawnedApp, spawnService, TEST_ADMIN_KEY } from '../support/app.js';
import { randomSuffix, REDIS_PREFIX, testRedisUrl } from '../support/env.js';
import { connectSocket, TestSocket } from '../support/socket.js';
import { recordFault } from './support/faults.js';
import { Api } from './support/http.js';
import { countByStatus, eventually, LoadLoop, serverErrors } from './support/load.js';
import { PrivatePostgres } from './support/private-postgres.js';

const OUTAGES_MS = [3_000, 1_000];

/**
 * The service's PostgreSQL (a private embedded cluster) stopped and started again on
 * the same port while clients write: 503s while it is away, never a hang, recovery
 * without a restart, and every acknowledged write still there.
 */
describe('PostgreSQL restarted under load', () => {
  let postgres: PrivatePostgres;
  let service: SpawnedApp;
  let api: Api;
  let socket: TestSocket;

  beforeAll(async () => {
    postgres = await PrivatePostgres.start();
    service = await spawnService({
      DATABASE_URL: postgres.url,
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: REDIS_PREFIX + randomSuffix(),
      UPLOAD_DIR: resolve('.data', 'test-uploads', `resilience-${randomSuffix()}`),
      DATA_DIR: resolve('.data', 'test'),
      ROLE: 'all',
    });
    api = new Api(service.url);
    socket = await connectSocket(service.url, { token: TEST_ADMIN_KEY, rooms: ['tasks'] });
  });

  afterAll(async () => {
    socket?.close();
    api?.close();
    await service?.stop();
    await postgres?.destroy();
  });

  async function storedTaskIds(): Promise<Set<string>> {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string }>('SELECT id FROM tasks');
      return new Set(rows.map((row) => row.id));
    } finally {
      await client.end();
    }
  }

  it('answers 503 while it is away, recovers on its own, and keeps every acknowledged write', async () => {
    const acknowledged: string[] = [];
    let attempted = 0;
    const load = new LoadLoop(
      { concurrency: 6, maxRequests: 5_000, maxMs: 60_000, pauseMs: 25 },
      async (index) => {
        if (index % 3 === 2)
          return { label: 'read', status: (await api.get('/api/v2/tasks?limit=5')).status };
        attempted++;
        const response = await api.post('/api/v2/tasks', { title: `write ${index}` });
        if (response.status === 201) acknowledged.push(response.json.id);
        return { label: 'write', status: response.status };
      },
    ).start();

    // Two restarts: a longer outage, then a short one soon after recovery.
    const outages: { stoppedAt: number; resumedAt: number; readyAt: number }[] = [];
    for (const outageMs of OUTAGES_MS) {
      await sleep(2_000);
      const stoppedAt = Date.now();
      await postgres.stop();
      recordFault('postgres stopped');
      await sleep(outageMs);
      await postgres.resume();
      recordFault('postgres started');
      const resumedAt = Date.now();
      await eventually(
        'ready again',
        async () => ((await api.get('/health/ready')).status === 200 ? true : undefined),
        20_000,
      );
      outages.push({ stoppedAt, resumedAt, readyAt: Date.now() });
    }
    await sleep(4_000);
    const outcomes = await load.stop();

    expect(service.proc.exitCode).toBeNull();
    const bad = outcomes.filter((o) => ![200, 201, 503].includes(o.status));
    expect(bad, `${JSON.stringify(countByStatus(bad))}\n${serverErrors(service.output())}`).toEqual(
      [],
    );
    // Bounded: the pool's connection timeout, never the client's patience.
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(5_000);

    let refused = 0;
    for (const { stoppedAt, resumedAt, readyAt } of outages) {
      const writes = load.between(stoppedAt + 500, resumedAt).filter((o) => o.label === 'write');
      expect(writes.length).toBeGreaterThan(2);
      expect(countByStatus(writes)).toEqual({ 503: writes.length });
      refused += writes.length;
      // Recovered on its own: from shortly after ready, everything succeeds again.
      const next = outages.find((outage) => outage.stoppedAt > readyAt)?.stoppedAt ?? Date.now();
      const after = load.between(readyAt + 1_000, next);
      expect(after.length).toBeGreaterThan(10);
      expect(
        after.every((o) => o.status === 200 || o.status === 201),
        JSON.stringify(countByStatus(after)),
      ).toBe(true);
    }

    // Every write the service acknowledged is stored; nothing appeared that was never sent.
    const stored = await storedTaskIds();
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(acknowledged.length);
    expect(stored.size).toBeLessThanOrEqual(attempted);

    // The event stream listens again: a write after the restart reaches the socket.
    const created = await api.post('/api/v2/tasks', { title: 'after the restart' });
    expect(created.status).toBe(201);
    await socket.waitFor('task_update', (e) => e.data?.task?.id === created.json.id, 10_000);
    console.log(
      `postgres restart: ${outcomes.length} requests, ${acknowledged.length} of ${attempted} writes ` +
        `acknowledged (${stored.size} stored), ${refused} writes refused with 503 during ${outages.length} outages, ` +
        `ready ${outages.map((o) => o.readyAt - o.resumedAt).join(' and ')} ms after it was back`,
    );
  });
});
