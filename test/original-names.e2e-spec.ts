import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../src/infra/net.js';
import {
  createTestStores,
  spawnService,
  SpawnedApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { dropTestDatabase } from './support/database.js';
import { DATABASE_PREFIX, databaseServerUrl, databaseUrl, randomSuffix } from './support/env.js';
import { apiKey, createApiKey } from './support/identities.js';
import { runJob } from './support/jobs.js';

/** The API of a spawned process, as the job helpers reach it. */
const reach = (spawned: SpawnedApp) => ({ http: () => request(spawned.url) }) as unknown as TestApp;

describe("the original backend's names", () => {
  let stores: TestStores;
  let app: SpawnedApp;

  beforeAll(async () => {
    stores = await createTestStores();
    app = await spawnService({ ...stores.env, ENABLE_CACHING: 'false', LOG_FORMAT: 'json' });
  });

  afterAll(async () => {
    await app?.stop();
    await stores?.drop();
  });

  it('runs process_agent_configuration as agents.process_configuration, stored under our name', async () => {
    const http = () => request(app.url);
    const { body: agent } = await http()
      .post('/api/v2/agents')
      .set(apiKey(TEST_ADMIN_KEY))
      .send({ name: 'configured by the original name', agent_type: 'coder' })
      .expect(201);
    const job = await runJob(reach(app), 'process_agent_configuration', { agent_id: agent.id });
    expect(job).toMatchObject({ task_name: 'agents.process_configuration', status: 'completed' });

    const { body: types } = await http()
      .get('/api/v2/background-tasks/types')
      .set(apiKey(TEST_ADMIN_KEY))
      .expect(200);
    const byName = new Map(
      (types.types as { name: string; aliases: string[] }[]).map((type) => [type.name, type]),
    );
    expect(byName.get('agents.process_configuration')?.aliases).toEqual([
      'process_agent_configuration',
    ]);
    expect(byName.get('system.backup')?.aliases).toEqual(['backup_agent_data']);
    expect(byName.get('system.analyze_metrics')?.aliases).toEqual(['analyze_system_metrics']);
    expect(byName.get('files.process_agent_configs')?.aliases).toEqual([
      'process_uploaded_agent_configs',
    ]);

    // backup_agent_data is system.backup: admins only.
    const operator = await createApiKey(app.url, 'operator');
    await http()
      .post('/api/v2/background-tasks')
      .set(apiKey(operator.key))
      .send({ task_name: 'backup_agent_data', parameters: { backup_type: 'full' } })
      .expect(403);
    await http()
      .post('/api/v2/background-tasks')
      .set(apiKey(operator.key))
      .send({ task_name: 'no_such_original_name', parameters: {} })
      .expect(400);
  });

  it('ENABLE_CACHING=false turns the cache off and warns once naming CACHE_ENABLED', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await request(app.url)
        .get('/api/v2/agents')
        .set(apiKey(TEST_ADMIN_KEY))
        .expect(200);
      expect(response.headers['x-cache']).toBeUndefined();
    }
    const warnings = app
      .output()
      .split('\n')
      .filter((line) => line.includes('ENABLE_CACHING'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('set CACHE_ENABLED instead');
  });
});

describe('first run: .env and a DATABASE_URL naming a missing database', () => {
  const folder = mkdtempSync(join(tmpdir(), 'subforge-first-run-'));
  const database = DATABASE_PREFIX + randomSuffix();
  let stores: TestStores;

  beforeAll(async () => {
    stores = await createTestStores();
  });

  afterAll(async () => {
    await dropTestDatabase(database);
    await stores?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('reads PORT and DATABASE_URL from .env, and creates the missing database', async () => {
    const port = await findFreePort();
    writeFileSync(join(folder, '.env'), `PORT=${port}\nDATABASE_URL=${databaseUrl(database)}\n`);
    const { DATABASE_URL: _ours, ...env } = stores.env;
    // Empty in the process environment means unset: .env decides.
    const app = await spawnService({ ...env, NODE_ENV: '', PORT: '' }, { cwd: folder });
    try {
      expect(new URL(app.url).port).toBe(String(port));
      await request(app.url).get('/health/ready').expect(200);
      expect(
        app
          .output()
          .split('\n')
          .some((line) => line.includes('Database: created') && line.includes(database)),
      ).toBe(true);
      const client = new pg.Client({ connectionString: databaseServerUrl() });
      await client.connect();
      const { rowCount } = await client
        .query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
        .finally(() => client.end());
      expect(rowCount).toBe(1);
    } finally {
      await app.stop();
    }
  });
});
