import { Redis } from 'ioredis';
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
  return async () => {
    await dropStaleTestDatabases();
    await dropTestDatabase(TEMPLATE_DATABASE);
    await deleteTestKeys();
  };
}
