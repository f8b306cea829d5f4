import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import {
  ASYNCAPI_FILE,
  CONTRACT_DIR,
  coverageReport,
  DOCUMENT_FILE,
} from './contract/openapi-contract.js';
import { runMigrations } from '../../src/database/migrate.js';
import { dropStaleTestDatabases, dropTestDatabase, recreateDatabase } from './database.js';
import { REDIS_PREFIX, TEMPLATE_DATABASE, testRedisUrl } from './env.js';

/** Removes this checkout's test keys from the test Redis index. */
async function deleteTestKeys(): Promise<void> {
  const redis = new Redis(testRedisUrl());
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/**
 * Once per `npm test`: a freshly migrated template database (test files clone it)
 * and no Redis keys left from earlier runs of this checkout (in the test Redis index).
 * At the end, the template, any test database left behind and the keys go again.
 * The development database is never touched.
 */
export default async function setup(): Promise<() => Promise<void>> {
  await dropStaleTestDatabases();
  const url = await recreateDatabase(TEMPLATE_DATABASE);
  await runMigrations(url);
  await deleteTestKeys();
  await writeContractDocuments();
  return async () => {
    const line = coverageReport();
    if (line) console.log(`\n${line}\n`);
    await dropStaleTestDatabases();
    await dropTestDatabase(TEMPLATE_DATABASE);
    await deleteTestKeys();
  };
}

/** /docs-json and /docs/asyncapi.json of a real app, once per run, for the checks of every e2e file. */
async function writeContractDocuments(): Promise<void> {
  rmSync(CONTRACT_DIR, { recursive: true, force: true });
  mkdirSync(CONTRACT_DIR, { recursive: true });
  // The built service in its own process (npm test builds first): nothing of it stays
  // in this process, which lives for the whole run.
  const { createTestStores, spawnService } = await import('./app.js');
  const stores = await createTestStores();
  try {
    const service = await spawnService(stores.env);
    try {
      const response = await fetch(`${service.url}/docs-json`);
      writeFileSync(DOCUMENT_FILE, await response.text());
      const asyncapi = await fetch(`${service.url}/docs/asyncapi.json`);
      writeFileSync(ASYNCAPI_FILE, await asyncapi.text());
    } finally {
      await service.stop();
    }
  } finally {
    await stores.drop();
  }
}
