import { Redis } from 'ioredis';
import { runMigrations } from '../../src/database/migrate.js';
import { dropStaleTestDatabases, recreateDatabase } from './database.js';
import { TEMPLATE_DATABASE, testRedisUrl } from './env.js';

/**
 * Once per `npm test`: a freshly migrated template database (test files clone it)
 * and an empty Redis test index. The development database is never touched.
 */
export default async function setup(): Promise<void> {
  await dropStaleTestDatabases();
  const url = await recreateDatabase(TEMPLATE_DATABASE);
  await runMigrations(url);
  const redis = new Redis(testRedisUrl());
  await redis.flushdb();
  await redis.quit();
}
