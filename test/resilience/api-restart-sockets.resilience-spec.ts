import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/infra/net.js';
import { sleep } from '../../src/common/async.js';
import {
  createTestStores,
  SpawnedApp,
  spawnService,
  TEST_ADMIN_KEY,
  TestStores,
} from '../support/app.js';
import { recordFault } from './support/faults.js';
import { FollowingClient } from './support/following-client.js';
import { Api } from './support/http.js';
import { countByStatus, eventually, LoadLoop } from './support/load.js';

const CLIENTS = 10;

/**
 * Dashboards connected to instance A while A is restarted twice (SIGTERM, then
 * SIGKILL) and instance B keeps writing: each client reconnects with its last event
 * id and ends up with exactly the history of its room, no gap, no duplicate.
 */
describe('API instance restarted under connected Socket.IO clients', () => {
  let stores: TestStores;
  let port: number;
  let a: SpawnedApp;
  let b: SpawnedApp;
  let writer: Api;
  const clients: FollowingClient[] = [];

  beforeAll(async () => {
    stores = await createTestStores();
    port = await findFreePort();
    [a, b] = await Promise.all([
      spawnService({ ...stores.env, ROLE: 'api', PORT: String(port) }),
      spawnService({ ...stores.env, ROLE: 'api' }),
    ]);
    writer = new Api(b.url);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    writer?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await stores?.drop();
  });

  /** Ids of the events of `room` after `afterId`, from the history. */
  async function history(room: string, afterId: string): Promise<string[]> {
    const ids: string[] = [];
    let after = afterId;
    for (;;) {
      const { json } = await writer.get(
        `/api/v2/websocket/event-history?room=${room}&after_id=${after}&limit=1000`,
      );
      const events = json.events as { id: string }[];
      if (!events.length) return ids;
      ids.push(...events.map((event) => event.id));
      after = events[events.length - 1].id;
    }
  }

  async function restartA(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const code = await a.stop(signal);
    if (signal === 'SIGTERM') expect(code).toBe(0);
    recordFault(`api ${signal} and restart`);
    await sleep(500);
    a = await spawnService({ ...stores.env, ROLE: 'api', PORT: String(port) });
  }

  it('every client reconnects and misses nothing of its room, in order, without duplicates', async () => {
    // The starting point: a first event every client has seen.
    for (let i = 0; i < CLIENTS; i++)
      clients.push(new FollowingClient(a.url, TEST_ADMIN_KEY, ['tasks'], ['task_update']));
    await Promise.all(clients.map((client) => client.connected()));
    await sleep(300);
    const first = await writer.post('/api/v2/tasks', { title: 'first' });
    expect(first.status).toBe(201);
    await eventually(
      'every client has the first event',
      async () => (clients.every((client) => client.lastId) ? true : undefined),
      10_000,
      50,
    );
    const start = clients[0].lastId!;
    expect(clients.every((client) => client.lastId === start)).toBe(true);

    const load = new LoadLoop(
      { concurrency: 3, maxRequests: 2_000, maxMs: 60_000, pauseMs: 40 },
      async (index) => ({
        label: 'write',
        status: (await writer.post('/api/v2/tasks', { title: `task ${index}` })).status,
      }),
    ).start();
    await sleep(2_000);
    await restartA('SIGTERM');
    await sleep(2_500);
    await restartA('SIGKILL');
    await sleep(2_500);
    const outcomes = await load.stop();
    expect(countByStatus(outcomes)).toEqual({ 201: outcomes.length });

    const expected = [start, ...(await history('tasks', start))];
    const last = expected[expected.length - 1];
    await eventually(
      'every client caught up',
      async () => (clients.every((client) => client.lastId === last) ? true : undefined),
      20_000,
      100,
    );
    for (const client of clients) {
      expect(client.reconnects).toBeGreaterThanOrEqual(2);
      expect(client.truncations).toEqual([]);
      expect(client.ids).toEqual(expected);
    }
    console.log(
      `api restarts: ${CLIENTS} clients each got all ${expected.length} events of the room ` +
        `across 2 restarts (${outcomes.length} writes meanwhile)`,
    );
  });
});
