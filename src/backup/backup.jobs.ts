import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobCatalog } from '../jobs/job-catalog.service.js';
import { QUEUES } from '../jobs/queues.js';
import { BACKUP_TYPES } from './backup-format.js';
import { BackupService } from './backup.service.js';
import { BackupParams, type BackupResultDto } from './dto/backup.dto.js';

export const BACKUP_JOB = 'system.backup';

/** The backup job type; the handler only calls the service, which holds the logic. */
@Injectable()
export class BackupJobs implements OnModuleInit {
  constructor(
    private readonly catalog: JobCatalog,
    private readonly backups: BackupService,
  ) {}

  onModuleInit(): void {
    this.catalog.register<BackupParams, BackupResultDto>({
      name: BACKUP_JOB,
      description:
        'Exports users (without secrets), agents and their status history, tasks and dependencies, ' +
        "and files' metadata from one consistent snapshot as gzipped NDJSON into the file store " +
        '(category backups). incremental: only rows changed since the latest stored backup. ' +
        'Restore with `npm run restore -- <file>`',
      queue: QUEUES.system,
      params: BackupParams,
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { backup_type: { type: 'string', enum: [...BACKUP_TYPES], default: 'full' } },
      },
      role: 'admin',
      // A rerun writes a new file from a new snapshot: safe to retry once.
      attempts: 2,
      backoffMs: 30_000,
      timeoutMs: 3_600_000,
      handler: ({ params, signal, progress, jobId }) =>
        this.backups.backup(params.backup_type ?? 'full', { signal, progress, jobId }),
    });
  }
}
