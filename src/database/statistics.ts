import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/** Rows added at once beyond this share of a table's last counted size make its statistics stale. */
const STALE_SHARE = 0.2;
/** Fewer rows than this are never worth an ANALYZE. */
const MIN_ROWS = 200;

const logger = new Logger('Statistics');
/** Per table, the last check queued: checks of one table run one after the other. */
const queued = new Map<string, Promise<void>>();
const notOwned = new Set<string>();

/**
 * Refreshes the planner's statistics of a table that one bulk insert has just outgrown,
 * as PostgreSQL advises after bulk loading. Until autovacuum gets to it (a minute or
 * more later), plans are made for the table as it was: claiming the ready steps of a
 * new 1,000-step run on tables never analyzed took 330 ms a pass instead of 5 ms
 * (nested loops over what the planner took for a handful of rows). Call it after the
 * insert committed; it never fails its caller. A check waits for the one before it on
 * the same table, so that it compares with the count that ANALYZE made.
 */
export function analyzeIfOutgrown(
  dataSource: DataSource,
  table: string,
  added: number,
): Promise<void> {
  if (added < MIN_ROWS || notOwned.has(table)) return Promise.resolve();
  const check = (queued.get(table) ?? Promise.resolve()).then(() =>
    analyzeIfStale(dataSource, table, added),
  );
  queued.set(table, check);
  void check.then(() => {
    if (queued.get(table) === check) queued.delete(table);
  });
  return check;
}

async function analyzeIfStale(dataSource: DataSource, table: string, added: number) {
  try {
    const [row] = await dataSource.query<{ reltuples: number; owned: boolean }[]>(
      `SELECT reltuples, pg_has_role(relowner, 'USAGE') AS owned
         FROM pg_class WHERE oid = $1::regclass`,
      [table],
    );
    if (!row.owned) {
      // PostgreSQL would skip it with a warning; autovacuum still gets to it.
      notOwned.add(table);
      logger.warn(`not analyzing ${table} after bulk inserts: the database user does not own it`);
      return;
    }
    // -1 (or 0 before PostgreSQL 14): never analyzed.
    if (row.reltuples > 0 && added < row.reltuples * STALE_SHARE) return;
    await dataSource.query(`ANALYZE "${table}"`);
  } catch (error) {
    logger.warn(`could not analyze ${table}: ${(error as Error).message}`);
  }
}
