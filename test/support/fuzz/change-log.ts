import pg from 'pg';

/**
 * Records every row change of the watched tables in `fuzz_changes`, from triggers
 * installed in the fuzzer's own database. A change made by a request whose
 * transaction rolled back leaves nothing; a change that commits is seen even if a
 * later one undoes it. Cheaper and stricter than hashing the tables after each batch.
 *
 * Not watched: the service's own bookkeeping that moves whatever a request does
 * (API metrics, system snapshots, a key's last use, internal job records).
 */
const UNWATCHED_TABLES = ['api_metrics', 'system_metrics', 'migrations', 'fuzz_changes'];
const IGNORED_COLUMNS: Record<string, string[]> = { api_keys: ['last_used_at'] };

const SETUP = `
CREATE TABLE IF NOT EXISTS fuzz_changes (
  id bigserial PRIMARY KEY,
  table_name text NOT NULL,
  operation text NOT NULL,
  row_id text,
  detail text
);
CREATE OR REPLACE FUNCTION fuzz_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- TG_ARGV is NULL when the trigger has no arguments, and jsonb - NULL is NULL.
  ignored text[] := coalesce(TG_ARGV, '{}');
  before_row jsonb;
  after_row jsonb;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO fuzz_changes (table_name, operation) VALUES (TG_TABLE_NAME, TG_OP);
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN before_row := to_jsonb(OLD) - ignored; END IF;
  IF TG_OP <> 'DELETE' THEN after_row := to_jsonb(NEW) - ignored; END IF;
  IF before_row IS DISTINCT FROM after_row
     AND NOT coalesce((coalesce(after_row, before_row) ->> 'internal')::boolean, false) THEN
    -- The event type or the row's status says what moved, for the report.
    INSERT INTO fuzz_changes (table_name, operation, row_id, detail)
    VALUES (TG_TABLE_NAME, TG_OP, coalesce(after_row, before_row) ->> 'id',
            coalesce(after_row, before_row) ->> (CASE WHEN TG_TABLE_NAME = 'events' THEN 'type' ELSE 'status' END));
  END IF;
  RETURN NULL;
END $$;
`;

export interface Change {
  table_name: string;
  operation: string;
  row_id: string | null;
  detail: string | null;
}

export class ChangeLog {
  private constructor(private readonly client: pg.Client) {}

  static async install(url: string): Promise<ChangeLog> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(SETUP);
    const { rows } = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND NOT (tablename = ANY($1))`,
      [UNWATCHED_TABLES],
    );
    for (const { tablename } of rows) {
      const ignored = (IGNORED_COLUMNS[tablename] ?? []).map((c) => `'${c}'`).join(', ');
      await client.query(
        `CREATE TRIGGER fuzz_rows AFTER INSERT OR UPDATE OR DELETE ON "${tablename}"
           FOR EACH ROW EXECUTE FUNCTION fuzz_record_change(${ignored});
         CREATE TRIGGER fuzz_truncate AFTER TRUNCATE ON "${tablename}"
           FOR EACH STATEMENT EXECUTE FUNCTION fuzz_record_change();`,
      );
    }
    return new ChangeLog(client);
  }

  /** The position after the last recorded change. */
  async position(): Promise<string> {
    const { rows } = await this.client.query<{ id: string }>(
      'SELECT coalesce(max(id), 0)::text AS id FROM fuzz_changes',
    );
    return rows[0].id;
  }

  async since(position: string): Promise<Change[]> {
    const { rows } = await this.client.query<Change>(
      'SELECT table_name, operation, row_id, detail FROM fuzz_changes WHERE id > $1 ORDER BY id LIMIT 20',
      [position],
    );
    return rows;
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
