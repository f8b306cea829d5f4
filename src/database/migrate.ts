import pg from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource } from './data-source.js';

/** Key of the advisory lock that serialises migration runs across processes. */
const MIGRATION_LOCK_KEY = 72_061_001;

/**
 * Runs `work` while holding a session-level advisory lock on its own connection,
 * so that processes starting at once take turns instead of applying a migration twice.
 */
export async function withMigrationLock<T>(url: string, work: () => Promise<T>): Promise<T> {
  const lock = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await work();
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}

/** Applies pending migrations; returns the names of those applied by this call. */
export async function runMigrations(url: string): Promise<string[]> {
  return withMigrationLock(url, async () => {
    const dataSource: DataSource = createDataSource({
      url,
      poolSize: 2,
      applicationName: 'subforge-migrate',
    });
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await dataSource.destroy();
    }
  });
}
