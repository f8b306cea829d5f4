import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { DataSource, QueryRunner } from 'typeorm';
import {
  type BackupEnd,
  BackupFormatError,
  type BackupHeader,
  parseLine,
  splitLines,
} from './backup-format.js';
import { backupTable } from './backup-tables.js';
import { quoted, SchemaQuery } from './schema.query.js';
import { orderViolations } from './table-order.js';

export class RestoreError extends Error {}

export interface RestoreResult {
  backup_type: string;
  snapshot_at: string;
  counts: Record<string, number>;
  total_rows: number;
}

/** Rows per INSERT, or fewer when they add up to this much text. */
const BATCH_ROWS = 500;
const BATCH_CHARS = 4 * 1024 * 1024;

interface TableTarget {
  name: string;
  insert: string;
  overrides: string;
}

/**
 * Restores a FULL backup (`source`, read from `path`: a file or an s3:// URL) into an empty database (migrated to this version), in one
 * transaction: either every row is back or nothing is. Refuses incremental
 * backups, tables backups do not carry, a database where any of the backup's
 * tables has rows, and a file that is truncated or whose counts do not match.
 * Users come back inactive with no usable password (see backup-tables.ts).
 */
export async function restoreBackup(
  dataSource: DataSource,
  source: Readable,
  path: string,
): Promise<RestoreResult> {
  const gunzip = createGunzip();
  pipeline(source, gunzip, () => undefined);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    const result = await restoreLines(runner, splitLines(gunzip));
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    if (error instanceof BackupFormatError) throw new RestoreError(error.message);
    if (String((error as { code?: unknown }).code).startsWith('Z_'))
      throw new RestoreError(`${path} is not an intact gzip file: ${(error as Error).message}`);
    throw error;
  } finally {
    gunzip.destroy();
    await runner.release();
  }
}

async function restoreLines(
  runner: QueryRunner,
  lines: AsyncIterable<string>,
): Promise<RestoreResult> {
  let header: BackupHeader | undefined;
  let end: BackupEnd | undefined;
  let targets = new Map<string, TableTarget>();
  const order: string[] = [];
  const counts: Record<string, number> = {};
  let batch: { table: string; rows: string[]; chars: number } | undefined;
  const flush = async () => {
    if (!batch?.rows.length) return;
    const target = targets.get(batch.table)!;
    await runner.query(target.insert, [`[${batch.rows.join(',')}]`, target.overrides]);
    batch = undefined;
  };

  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (!line) continue;
    if (end) throw new RestoreError(`line ${lineNumber}: content after the end line`);
    const parsed = parseLine(line, lineNumber);
    if (parsed.kind === 'header') {
      if (header) throw new RestoreError(`line ${lineNumber}: a second header`);
      header = parsed.header;
      targets = await prepare(runner, header);
      order.push(...header.tables.map((table) => table.name));
      for (const name of order) counts[name] = 0;
    } else if (!header) {
      throw new RestoreError('the file does not start with a backup header');
    } else if (parsed.kind === 'row') {
      if (!targets.has(parsed.table))
        throw new RestoreError(`line ${lineNumber}: table ${parsed.table} is not in the header`);
      if (batch && batch.table !== parsed.table) {
        if (order.indexOf(parsed.table) < order.indexOf(batch.table))
          throw new RestoreError(`line ${lineNumber}: rows of ${parsed.table} out of order`);
        await flush();
      }
      batch ??= { table: parsed.table, rows: [], chars: 0 };
      batch.rows.push(parsed.row);
      batch.chars += parsed.row.length;
      counts[parsed.table]++;
      if (batch.rows.length >= BATCH_ROWS || batch.chars >= BATCH_CHARS) await flush();
    } else {
      await flush();
      end = parsed.end;
    }
  }
  if (!header) throw new RestoreError('the file is empty');
  if (!end) throw new RestoreError('the file is truncated: it has no end line');
  for (const table of header.tables) {
    const expected = end.counts[table.name] ?? table.rows;
    if (counts[table.name] !== table.rows || counts[table.name] !== expected)
      throw new RestoreError(
        `${table.name}: ${counts[table.name]} rows in the file, the backup says ${table.rows}`,
      );
  }
  await resetSequences(runner, order);
  return {
    backup_type: header.backup_type,
    snapshot_at: header.snapshot_at,
    counts,
    total_rows: Object.values(counts).reduce((sum, count) => sum + count, 0),
  };
}

/**
 * Checks the backup against this database (full, known tables, columns present,
 * a valid foreign-key order, every table empty: locked so it stays so) and
 * prepares one INSERT per table.
 */
async function prepare(
  runner: QueryRunner,
  header: BackupHeader,
): Promise<Map<string, TableTarget>> {
  if (header.backup_type !== 'full')
    throw new RestoreError(
      `this is an ${header.backup_type} backup: restore takes a full backup into an empty database`,
    );
  const names = header.tables.map((table) => table.name);
  const unknown = names.filter((name) => !backupTable(name));
  if (unknown.length)
    throw new RestoreError(`tables that backups never carry: ${unknown.join(', ')}`);
  const schema = new SchemaQuery(runner);
  const columns = await schema.columns(names);
  const problems: string[] = [];
  for (const table of header.tables) {
    const present = columns.get(table.name);
    if (!present) {
      problems.push(`table ${table.name} does not exist here`);
      continue;
    }
    const absent = table.columns.filter((column) => !present.includes(column));
    if (absent.length) problems.push(`${table.name} has no column ${absent.join(', ')}`);
  }
  if (problems.length)
    throw new RestoreError(`the backup does not fit this schema: ${problems.join('; ')}`);
  const broken = orderViolations(names, await schema.foreignKeys());
  if (broken.length)
    throw new RestoreError(
      `rows would precede what they reference: ${broken.map((e) => `${e.child} → ${e.parent}`).join(', ')}`,
    );

  await runner.query(`LOCK TABLE ${names.map(quoted).join(', ')} IN ACCESS EXCLUSIVE MODE`);
  const filled: string[] = [];
  for (const name of names) {
    const [{ filled: has }]: { filled: boolean }[] = await runner.query(
      `SELECT EXISTS (SELECT 1 FROM ${quoted(name)}) AS filled`,
    );
    if (has) filled.push(name);
  }
  if (filled.length)
    throw new RestoreError(
      `the database is not empty (${filled.join(', ')} hold rows): restore needs an empty one`,
    );

  const targets = new Map<string, TableTarget>();
  for (const table of header.tables) {
    const overrides = backupTable(table.name)?.restoreAs ?? {};
    const present = columns.get(table.name)!;
    const written = [
      ...new Set([...table.columns, ...Object.keys(overrides).filter((c) => present.includes(c))]),
    ];
    targets.set(table.name, {
      name: table.name,
      // Each row's own values, then the overrides on top; PostgreSQL types them from the table.
      insert: `INSERT INTO ${quoted(table.name)} (${written.map(quoted).join(', ')})
               SELECT ${written.map((column) => `r.${quoted(column)}`).join(', ')}
                 FROM jsonb_array_elements($1::jsonb) AS e(value),
                      jsonb_populate_record(NULL::${quoted(table.name)}, e.value || $2::jsonb) AS r`,
      overrides: JSON.stringify(overrides),
    });
  }
  return targets;
}

/** Serial columns continue after the restored ids. */
async function resetSequences(runner: QueryRunner, tables: string[]): Promise<void> {
  const sequences = await new SchemaQuery(runner).sequences(tables);
  for (const { table, column, sequence } of sequences) {
    await runner.query(
      `SELECT setval($1, coalesce((SELECT max(${quoted(column)}) FROM ${quoted(table)}), 0) + 1, false)`,
      [sequence],
    );
  }
}
