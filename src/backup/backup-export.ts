import type { BackupHeader, BackupTableHeader } from './backup-format.js';
import { endLine, headerLine, rowLine } from './backup-format.js';
import { quoted, type SqlRunner } from './schema.query.js';

/** A table as the export reads it. */
export interface ExportTable extends BackupTableHeader {
  orderBy: string[];
  /** The change column to filter on (mode `changed`). */
  changedAt: string | null;
}

export interface ExportPlan {
  header: BackupHeader;
  tables: ExportTable[];
  since: Date | null;
}

/** Rows per FETCH: a few hundred KB in memory at most. */
const FETCH_ROWS = 500;

/**
 * The SELECT behind a table's rows in the file (parameters: omitted columns, then
 * `since` when filtered), or behind its count in the plan (parameter: `since`).
 */
export function tableQuery(
  table: Pick<ExportTable, 'name' | 'mode' | 'changedAt' | 'orderBy'>,
  select: 'rows' | 'count',
): string {
  const since = select === 'rows' ? '$2' : '$1';
  const where =
    table.mode === 'changed' && table.changedAt
      ? ` WHERE t.${quoted(table.changedAt)} >= ${since}`
      : '';
  if (select === 'count')
    return `SELECT count(*)::int AS count FROM ${quoted(table.name)} t${where}`;
  const order = table.orderBy.length
    ? ` ORDER BY ${table.orderBy.map((column) => `t.${quoted(column)}`).join(', ')}`
    : '';
  return `SELECT (to_jsonb(t) - $1::text[])::text AS row FROM ${quoted(table.name)} t${where}${order}`;
}

/**
 * The lines of a backup, read through a server-side cursor per table inside the
 * caller's snapshot transaction: the consumer's pace (gzip, then the disk) decides
 * when the next rows are fetched, so memory holds one batch, never a table.
 * Stops at the next batch once `signal` aborts; reports rows done after each batch.
 */
export async function* exportLines(
  runner: SqlRunner,
  plan: ExportPlan,
  signal: AbortSignal,
  onRows: (done: number) => Promise<void>,
): AsyncGenerator<Buffer> {
  yield Buffer.from(headerLine(plan.header));
  const counts: Record<string, number> = {};
  let done = 0;
  for (const table of plan.tables) {
    const params: unknown[] = [table.omitted];
    if (table.mode === 'changed' && table.changedAt) params.push(plan.since);
    await runner.query(
      `DECLARE backup_rows NO SCROLL CURSOR FOR ${tableQuery(table, 'rows')}`,
      params,
    );
    counts[table.name] = 0;
    for (;;) {
      signal.throwIfAborted();
      const rows: { row: string }[] = await runner.query(`FETCH ${FETCH_ROWS} FROM backup_rows`);
      if (!rows.length) break;
      counts[table.name] += rows.length;
      done += rows.length;
      yield Buffer.from(rows.map(({ row }) => rowLine(table.name, row)).join(''));
      await onRows(done);
    }
    await runner.query('CLOSE backup_rows');
    // The plan counted in the same snapshot: a difference would be a bug, not a race.
    if (counts[table.name] !== table.rows)
      throw new Error(`${table.name}: exported ${counts[table.name]} rows, counted ${table.rows}`);
  }
  yield Buffer.from(endLine({ kind: 'end', rows: done, counts }));
}
