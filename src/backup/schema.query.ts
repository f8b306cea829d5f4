import type { QueryRunner } from 'typeorm';
import type { ForeignKeyEdge } from './table-order.js';

/** What the schema queries need: a connection (a query runner in its transaction). */
export type SqlRunner = Pick<QueryRunner, 'query'>;

/**
 * The parts of the schema export and restore read from PostgreSQL itself, so that
 * both follow the migrated schema rather than a copy of it: columns, primary keys,
 * foreign keys and serial sequences of the given tables (current schema).
 */
export class SchemaQuery {
  constructor(private readonly db: SqlRunner) {}

  /** Columns per table, in table order; tables that do not exist are absent. */
  async columns(tables: string[]): Promise<Map<string, string[]>> {
    const rows: { table: string; columns: string[] }[] = await this.db.query(
      `SELECT c.relname AS table, array_agg(a.attname::text ORDER BY a.attnum) AS columns
         FROM pg_class c
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
          AND c.relname = ANY($1::text[])
        GROUP BY c.relname`,
      [tables],
    );
    return new Map(rows.map((row) => [row.table, row.columns]));
  }

  async primaryKeys(tables: string[]): Promise<Map<string, string[]>> {
    const rows: { table: string; columns: string[] }[] = await this.db.query(
      `SELECT c.relname AS table,
              array_agg(a.attname::text ORDER BY array_position(i.indkey::int2[], a.attnum)) AS columns
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey::int2[])
        WHERE i.indisprimary AND c.relnamespace = current_schema()::regnamespace
          AND c.relname = ANY($1::text[])
        GROUP BY c.relname`,
      [tables],
    );
    return new Map(rows.map((row) => [row.table, row.columns]));
  }

  foreignKeys(): Promise<ForeignKeyEdge[]> {
    return this.db.query(
      `SELECT DISTINCT child.relname AS child, parent.relname AS parent
         FROM pg_constraint k
         JOIN pg_class child ON child.oid = k.conrelid
         JOIN pg_class parent ON parent.oid = k.confrelid
        WHERE k.contype = 'f' AND child.relnamespace = current_schema()::regnamespace`,
    );
  }

  /** Columns fed by a sequence (serial, identity), with the sequence's name. */
  sequences(tables: string[]): Promise<{ table: string; column: string; sequence: string }[]> {
    return this.db.query(
      `SELECT * FROM (
         SELECT c.relname AS table, a.attname AS column,
                pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS sequence
           FROM pg_class c
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
            AND c.relname = ANY($1::text[])
       ) columns WHERE sequence IS NOT NULL`,
      [tables],
    );
  }

  /** The last migration applied (recorded in backups; informative). */
  async lastMigration(): Promise<string | null> {
    const rows: { name: string }[] = await this.db.query(
      'SELECT name FROM migrations ORDER BY timestamp DESC LIMIT 1',
    );
    return rows[0]?.name ?? null;
  }
}

/** `"name"`: only ever applied to names checked as plain identifiers. */
export function quoted(identifier: string): string {
  return `"${identifier}"`;
}
