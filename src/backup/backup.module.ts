import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module.js';
import { BackupJobs } from './backup.jobs.js';
import { BackupService } from './backup.service.js';
import { BackupsQuery } from './backups.query.js';

/**
 * `system.backup`: tables exported from one snapshot into the file store; restored by
 * `restore-cli.ts` (`npm run restore`).
 */
@Module({
  imports: [FilesModule],
  providers: [BackupsQuery, BackupService, BackupJobs],
})
export class BackupModule {}
