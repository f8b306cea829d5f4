import { Redis } from 'ioredis';
import { runMigrations } from '../../src/database/migrate.js';
import { dropStaleTestDatabases, recreateDatabase } from './database.js';
import { REDIS_PREFIX, TEMPLATE_DATABASE, testRedisUrl } from './env.js';

/**
 * Once per `npm test`: a freshly migrated template database (test files clone it)
 * and no Redis keys left from earlier runs of this checkout (in the test Redis index).
 * The development database is never touched.
 */
export default async function setup(): Promise<void> {
  await dropStaleTestDatabases();
  const url = await recreateDatabase(TEMPLATE_DATABASE);
  await runMigrations(url);
  const redis = new Redis(testRedisUrl());
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 1000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}
