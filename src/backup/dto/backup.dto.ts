import { ApiProperty } from '@nestjs/swagger';
import { BACKUP_TYPES, type BackupType } from '../backup-format.js';
import { EnumField } from '../../common/validation/fields.js';

/** `system.backup` parameters. */
export class BackupParams {
  @EnumField(BACKUP_TYPES, 'BackupType', { nullable: true, doc: { default: 'full' } })
  backup_type?: BackupType;
}

/** The result of `system.backup`. */
export class BackupResultDto {
  @ApiProperty({ enum: BACKUP_TYPES, enumName: 'BackupType' }) backup_type: BackupType;
  @ApiProperty({ format: 'uuid', description: 'The file (category backups) holding it' })
  file_id: string;
  @ApiProperty({ example: 'subforge-full-20260310T143725Z.ndjson.gz' }) filename: string;
  @ApiProperty({ description: 'Bytes, compressed' }) size_bytes: number;
  @ApiProperty({ description: 'SHA-256 of the file, hex' }) checksum: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Rows per table',
    example: { users: 3, agents: 12, tasks: 140 },
  })
  counts: Record<string, number>;
  @ApiProperty() total_rows: number;
  @ApiProperty({ format: 'date-time', description: 'The consistent snapshot the rows come from' })
  snapshot_at: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Incremental: rows changed at or after this; null for a full backup',
  })
  since: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Incremental: the backup it continues',
  })
  base_backup_id: string | null;
}
