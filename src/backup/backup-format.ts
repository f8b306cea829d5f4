import { StringDecoder } from 'node:string_decoder';

/**
 * The backup file: gzipped NDJSON, one JSON object per line.
 *
 *   {"kind":"header","format":"subforge-backup","version":1,"backup_type":"full",...,"tables":[...]}
 *   {"table":"users","row":{...}}          one line per row, tables in foreign-key order
 *   {"kind":"end","rows":42,"counts":{"users":3,...}}
 *
 * Rows are PostgreSQL's own `to_jsonb` of the row (secret columns removed), so a
 * restore turns them back into rows with `jsonb_populate_record` losslessly
 * (bigints, timestamps with microseconds, arrays, jsonb). A file without its end
 * line is truncated.
 */

export const BACKUP_FORMAT = 'subforge-backup';
export const BACKUP_FORMAT_VERSION = 1;

export const BACKUP_TYPES = ['full', 'incremental'] as const;
export type BackupType = (typeof BACKUP_TYPES)[number];

/** `all`: every row of the table; `changed`: rows changed since the previous backup. */
export type TableMode = 'all' | 'changed';

export interface BackupTableHeader {
  name: string;
  /** The columns each row carries. */
  columns: string[];
  /** Columns left out (secrets). */
  omitted: string[];
  mode: TableMode;
  rows: number;
}

export interface BackupHeader {
  kind: 'header';
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_FORMAT_VERSION;
  backup_type: BackupType;
  /** The moment of the consistent snapshot the rows come from. */
  snapshot_at: string;
  /** Incremental: rows changed at or after this (the previous backup's watermark). */
  since: string | null;
  /** Where the next incremental starts: at or before the start of any change this snapshot missed. */
  watermark: string;
  /** The file id of the previous backup an incremental continues. */
  base_backup_id: string | null;
  /** The last migration applied to the database backed up. */
  schema: string | null;
  tables: BackupTableHeader[];
}

export interface BackupEnd {
  kind: 'end';
  rows: number;
  counts: Record<string, number>;
}

export type BackupLine =
  | { kind: 'header'; header: BackupHeader }
  | { kind: 'row'; table: string; row: string }
  | { kind: 'end'; end: BackupEnd };

export class BackupFormatError extends Error {}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
// The exact shape rowLine writes; the row stays text so its numbers never pass through a JS double.
const ROW_LINE = /^\{"table":"([a-z_][a-z0-9_]{0,62})","row":(\{.*\})\}$/;

export function isIdentifier(name: unknown): name is string {
  return typeof name === 'string' && IDENTIFIER.test(name);
}

export function headerLine(header: BackupHeader): string {
  return JSON.stringify(header) + '\n';
}

/** `rowJson` is the row as PostgreSQL printed it (a JSON object on one line). */
export function rowLine(table: string, rowJson: string): string {
  return `{"table":"${table}","row":${rowJson}}\n`;
}

export function endLine(end: BackupEnd): string {
  return JSON.stringify(end) + '\n';
}

export function parseLine(line: string, lineNumber: number): BackupLine {
  const row = ROW_LINE.exec(line);
  if (row) return { kind: 'row', table: row[1], row: row[2] };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new BackupFormatError(`line ${lineNumber}: not JSON`);
  }
  const record = value as { kind?: unknown };
  if (record?.kind === 'header') return { kind: 'header', header: checkHeader(value, lineNumber) };
  if (record?.kind === 'end') return { kind: 'end', end: checkEnd(value, lineNumber) };
  throw new BackupFormatError(`line ${lineNumber}: neither a header, a row nor the end`);
}

function checkHeader(value: unknown, lineNumber: number): BackupHeader {
  // Checked field by field, as what it may be: anything.
  const header = value as { [K in keyof BackupHeader]?: unknown };
  const fail = (message: string) => {
    throw new BackupFormatError(`line ${lineNumber}: ${message}`);
  };
  if (header.format !== BACKUP_FORMAT) fail(`not a ${BACKUP_FORMAT} file`);
  if (header.version !== BACKUP_FORMAT_VERSION)
    fail(`format version ${JSON.stringify(header.version)} is not supported`);
  if (!BACKUP_TYPES.includes(header.backup_type as BackupType)) fail('unknown backup_type');
  if (!Array.isArray(header.tables)) fail('no table list');
  for (const table of header.tables as Partial<BackupTableHeader>[]) {
    if (!isIdentifier(table?.name)) fail('a table name is not a plain identifier');
    if (!Array.isArray(table.columns) || !table.columns.every(isIdentifier))
      fail(`table ${table.name}: bad column list`);
    if (!Number.isInteger(table.rows) || table.rows! < 0)
      fail(`table ${table.name}: bad row count`);
  }
  return value as BackupHeader;
}

function checkEnd(value: unknown, lineNumber: number): BackupEnd {
  const end = value as BackupEnd;
  if (!Number.isInteger(end.rows) || typeof end.counts !== 'object' || end.counts === null)
    throw new BackupFormatError(`line ${lineNumber}: malformed end line`);
  return end;
}

/** Splits a stream of UTF-8 chunks into lines (without their `\n`); memory: about one line. */
export async function* splitLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  // A character may straddle two chunks: the decoder holds its first bytes back.
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      yield text.slice(start, newline);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest) yield rest;
}
