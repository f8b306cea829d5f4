/*
 * Migration commands: `run`, `revert`, `generate <Name>` (npm run migration:*). At the
 * composition root because `generate` compares the schema with every entity.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { loadConfig } from './config/config.js';
import { loadDotEnv } from './config/dotenv.js';
import { resolvePostgres } from './infra/postgres-service.js';
import { createDataSource } from './database/data-source.js';
import { ENTITIES } from './entities.js';
import { runMigrations, withMigrationLock } from './database/migrate.js';

const logger = new Logger('Migrations');

function migrationSource(className: string, up: string[], down: string[]): string {
  const lines = (queries: string[]) =>
    queries.map((query) => `    await queryRunner.query(${JSON.stringify(query)});`).join('\n');
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${lines(up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${lines(down)}
  }
}
`;
}

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  loadDotEnv();
  const config = loadConfig();
  const database = await resolvePostgres(config, logger);
  try {
    if (command === 'run') {
      const applied = await runMigrations(database.url);
      logger.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply');
    } else if (command === 'revert') {
      await withMigrationLock(database.url, async () => {
        const dataSource = createDataSource({ url: database.url, poolSize: 2, entities: ENTITIES });
        await dataSource.initialize();
        await dataSource.undoLastMigration({ transaction: 'each' });
        await dataSource.destroy();
      });
      logger.log('Reverted the last migration');
    } else if (command === 'generate' && name && /^[A-Z][A-Za-z0-9]+$/.test(name)) {
      const dataSource = createDataSource({ url: database.url, poolSize: 2, entities: ENTITIES });
      await dataSource.initialize();
      const sql = await dataSource.driver.createSchemaBuilder().log();
      await dataSource.destroy();
      if (!sql.upQueries.length) {
        logger.log('The entities match the schema: nothing to generate');
        return;
      }
      const timestamp = Date.now();
      const className = `${name}${timestamp}`;
      const file = resolve(join('migrations', `${timestamp}-${name}.ts`));
      writeFileSync(
        file,
        migrationSource(
          className,
          sql.upQueries.map((query) => query.query),
          sql.downQueries.reverse().map((query) => query.query),
        ),
      );
      logger.log(`Wrote ${file}. Review it, then add ${className} to migrations/index.ts.`);
    } else {
      logger.error('Usage: migration-cli run | revert | generate <PascalCaseName>');
      process.exitCode = 2;
    }
  } finally {
    await database.stop();
  }
}

main().catch((error: Error) => {
  logger.error(error.message);
  process.exit(1);
});
