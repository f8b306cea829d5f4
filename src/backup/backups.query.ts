import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BACKUP_FORMAT } from './backup-format.js';

export interface StoredBackup {
  id: string;
  snapshot_at: string;
  watermark: string;
}

/**
 * Earlier backups, found through the file store's metadata (a backup exists only
 * once its file is complete): an incremental continues the latest one still kept.
 */
@Injectable()
export class BackupsQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async latest(): Promise<StoredBackup | null> {
    const rows: StoredBackup[] = await this.dataSource.query(
      `SELECT id, metadata->>'snapshot_at' AS snapshot_at, metadata->>'watermark' AS watermark
         FROM files
        WHERE file_type = 'backups' AND metadata->>'format' = $1 AND metadata ? 'watermark'
        ORDER BY (metadata->>'snapshot_at')::timestamptz DESC
        LIMIT 1`,
      [BACKUP_FORMAT],
    );
    return rows[0] ?? null;
  }
}
