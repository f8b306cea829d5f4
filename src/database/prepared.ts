import type pg from 'pg';
import {
  DataSource,
  EntityManager,
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
} from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/**
 * Runs a hot read as a named prepared statement: each connection parses it once and
 * PostgreSQL may keep its plan, where an unnamed query is parsed and planned on
 * every call (for the agents' figures, planning took longer than running).
 * Inside a transaction (a manager with a query runner) it runs on that connection.
 * Errors are TypeORM's, so the error mapping treats them like any other query's.
 * A name stands for one SQL text (pg refuses the same name with another text).
 */
export async function preparedQuery<T>(
  dataSource: DataSource,
  manager: EntityManager | undefined,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const runner = manager?.queryRunner;
  // A transaction's manager whose runner is gone must fail, not run outside it.
  if (runner?.isReleased) throw new QueryRunnerAlreadyReleasedError();
  const client: pg.Pool | pg.PoolClient = runner
    ? ((await runner.connect()) as pg.PoolClient)
    : (dataSource.driver as PostgresDriver).master;
  try {
    const result = await client.query<T & pg.QueryResultRow>({ name, text, values });
    return result.rows;
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}
