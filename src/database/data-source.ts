import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { SnakeNamingStrategy } from './naming.strategy.js';

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** The entity classes (the composition root's list, `src/entities.ts`); none to run migrations. */
  entities?: DataSourceOptions['entities'];
}

/** The one definition of how we talk to PostgreSQL, shared by the app, the CLI and the tests. */
export function dataSourceOptions({
  url,
  poolSize = 10,
  applicationName = 'subforge',
  entities = [],
}: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    // gen_random_uuid() is built into PostgreSQL 13+: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    applicationName,
    extra: poolOptions(poolSize),
  };
}

/** node-postgres pool settings, for TypeORM's pool and the few pools kept apart from it. */
export function poolOptions(max: number) {
  return {
    // Dates are computed in UTC on every connection (days and hours of analytics).
    options: '-c timezone=UTC',
    max,
    // A request never waits forever for a connection: after this it fails and answers 503.
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    // Bounded on both sides: the server stops long statements, the client stops
    // waiting for a server that went silent (a dropped network never answers).
    statement_timeout: 15_000,
    query_timeout: 15_000,
  };
}

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource(dataSourceOptions(options));
}
