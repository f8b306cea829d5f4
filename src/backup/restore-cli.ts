/* `npm run restore -- <backup.ndjson.gz | s3://bucket/key>`: a full backup into an empty database. */
import { Logger } from '@nestjs/common';
import { loadConfig } from '../config/config.js';
import { loadDotEnv } from '../config/dotenv.js';
import { createDataSource } from '../database/data-source.js';
import { runMigrations } from '../database/migrate.js';
import { resolvePostgres } from '../infra/postgres-service.js';
import { openBackup } from './backup-source.js';
import { restoreBackup, RestoreError } from './restore.js';

const logger = new Logger('Restore');

async function main(): Promise<void> {
  const [file, ...extra] = process.argv.slice(2);
  if (!file || extra.length) {
    logger.error('Usage: npm run restore -- <backup file (.ndjson.gz) | s3://<bucket>/<key>>');
    process.exitCode = 2;
    return;
  }
  loadDotEnv();
  const config = loadConfig();
  // The same database the service would use (DATABASE_URL, or the local/embedded one).
  const database = await resolvePostgres(config, logger);
  try {
    const applied = await runMigrations(database.url);
    if (applied.length) logger.log(`Migrated the database: ${applied.join(', ')}`);
    const dataSource = createDataSource({
      url: database.url,
      poolSize: 1,
      applicationName: 'subforge-restore',
    });
    await dataSource.initialize();
    try {
      const result = await restoreBackup(dataSource, await openBackup(file), file);
      const tables = Object.entries(result.counts)
        .map(([table, count]) => `${table} ${count}`)
        .join(', ');
      logger.log(
        `Restored the backup of ${result.snapshot_at}: ${result.total_rows} rows (${tables}). ` +
          'Users are inactive with no usable password: an admin sets one and reactivates them.',
      );
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await database.stop();
  }
}

main().catch((error: Error) => {
  logger.error(error instanceof RestoreError ? error.message : (error.stack ?? error.message));
  process.exit(1);
});
