import { Readable, pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type QueryRunner } from 'typeorm';
import { FilesService } from '../files/files.service.js';
import type { BackupResultDto } from './dto/backup.dto.js';
import { exportLines, type ExportPlan, type ExportTable, tableQuery } from './backup-export.js';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupType } from './backup-format.js';
import { BACKUP_TABLES, backupTable } from './backup-tables.js';
import { BackupsQuery, type StoredBackup } from './backups.query.js';
import { SchemaQuery } from './schema.query.js';
import { dependencyOrder } from './table-order.js';

export interface BackupRun {
  signal: AbortSignal;
  progress?: (percentage: number, message: string) => Promise<void>;
  jobId?: string;
}

/**
 * The oldest start among this database's open transactions, and the time now: a
 * change the coming snapshot cannot see belongs to a transaction that was open
 * (or not yet begun) at this point, and carries a timestamp no earlier than its
 * start. So the next incremental, starting from here, misses nothing.
 */
const WATERMARK_SQL = `
  SELECT clock_timestamp() AS now,
         (SELECT min(xact_start) FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid()
             AND xact_start IS NOT NULL) AS oldest`;

/**
 * `system.backup`: exports the tables of BACKUP_TABLES from one consistent snapshot
 * (REPEATABLE READ, read only) as gzipped NDJSON, streamed into the file store
 * (category `backups`). Full: every row. Incremental: rows changed since the
 * latest stored backup's watermark (tables without a change column whole).
 */
@Injectable()
export class BackupService {
  private readonly logger = new Logger('Backup');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly files: FilesService,
    private readonly backups: BackupsQuery,
  ) {}

  async backup(type: BackupType, run: BackupRun): Promise<BackupResultDto> {
    const previous = type === 'incremental' ? await this.backups.latest() : null;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ now, oldest }]: { now: Date; oldest: Date | null }[] =
        await runner.query(WATERMARK_SQL);
      const watermark = oldest && oldest < now ? oldest : now;
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const plan = await this.plan(runner, type, previous, watermark);
      run.signal.throwIfAborted();
      const { header } = plan;
      const total = plan.tables.reduce((sum, table) => sum + table.rows, 0);
      const counts = Object.fromEntries(plan.tables.map((table) => [table.name, table.rows]));
      await run.progress?.(5, `exporting ${total} rows`);

      const lines = Readable.from(
        exportLines(runner, plan, run.signal, async (done) => {
          await run.progress?.(5 + (90 * done) / Math.max(total, 1), `${done}/${total} rows`);
        }),
      );
      const gzip = createGzip();
      // An export error destroys the gzip stream, so the file store's write fails and leaves nothing.
      pipeline(lines, gzip, () => undefined);
      const file = await this.files.storeBackup(
        gzip,
        fileName(header.backup_type, header.snapshot_at),
        {
          format: BACKUP_FORMAT,
          version: BACKUP_FORMAT_VERSION,
          backup_type: header.backup_type,
          snapshot_at: header.snapshot_at,
          since: header.since,
          watermark: header.watermark,
          base_backup_id: header.base_backup_id,
          schema: header.schema,
          job_id: run.jobId ?? null,
          counts,
          total_rows: total,
        },
      );
      this.logger.log(
        `${header.backup_type} backup ${file.id}: ${total} rows, ${file.file_size} bytes`,
      );
      return {
        backup_type: header.backup_type,
        file_id: file.id,
        filename: file.filename,
        size_bytes: file.file_size,
        checksum: file.checksum,
        counts,
        total_rows: total,
        snapshot_at: header.snapshot_at,
        since: header.since,
        base_backup_id: header.base_backup_id,
      };
    } finally {
      await runner.query('ROLLBACK').catch(() => undefined);
      await runner.release();
    }
  }

  /** Inside the snapshot: the tables in foreign-key order, their columns and exact row counts. */
  private async plan(
    runner: QueryRunner,
    type: BackupType,
    previous: StoredBackup | null,
    watermark: Date,
  ): Promise<ExportPlan> {
    const [{ snapshot_at }]: { snapshot_at: Date }[] = await runner.query(
      'SELECT now() AS snapshot_at',
    );
    const schema = new SchemaQuery(runner);
    const names = BACKUP_TABLES.map((table) => table.name);
    const columns = await schema.columns(names);
    const keys = await schema.primaryKeys(names);
    const missing = names.filter((name) => !columns.has(name));
    if (missing.length)
      throw new Error(`tables listed for backups do not exist: ${missing.join(', ')}`);
    const order = dependencyOrder(names, await schema.foreignKeys());
    const since = type === 'incremental' && previous ? new Date(previous.watermark) : null;
    const tables: ExportTable[] = [];
    for (const name of order) {
      const spec = backupTable(name)!;
      const all = columns.get(name)!;
      const omitted = all.filter((column) => spec.omit?.includes(column));
      const table = {
        name,
        columns: all.filter((column) => !omitted.includes(column)),
        omitted,
        mode: since && spec.changedAt ? ('changed' as const) : ('all' as const),
        changedAt: spec.changedAt,
        orderBy: keys.get(name) ?? [],
      };
      const [{ count }]: { count: number }[] = await runner.query(
        tableQuery(table, 'count'),
        table.mode === 'changed' ? [since] : [],
      );
      tables.push({ ...table, rows: count });
    }
    return {
      since,
      tables,
      header: {
        kind: 'header',
        format: BACKUP_FORMAT,
        version: BACKUP_FORMAT_VERSION,
        // An incremental with no earlier backup carries every row: it is a full one, restorable as such.
        backup_type: since ? type : 'full',
        snapshot_at: snapshot_at.toISOString(),
        since: since?.toISOString() ?? null,
        watermark: watermark.toISOString(),
        base_backup_id: since ? previous!.id : null,
        schema: await schema.lastMigration(),
        tables: tables.map(({ name, columns: cols, omitted, mode, rows }) => ({
          name,
          columns: cols,
          omitted,
          mode,
          rows,
        })),
      },
    };
  }
}

/** `subforge-full-20260310T143725Z.ndjson.gz` */
export function fileName(type: BackupType, snapshotAt: string): string {
  const stamp = snapshotAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `subforge-${type}-${stamp}.ndjson.gz`;
}
