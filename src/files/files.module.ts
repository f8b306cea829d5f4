import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { JobCatalog } from '../jobs/job-catalog.service.js';
import { FILE_CATEGORIES } from './file-categories.js';
import { registerFileJobs } from './file-job-types.js';
import { FileJobs, RuntimeFileJobs } from './file-jobs.js';
import { FileValidationService } from './file-validation.service.js';
import { FileEntity } from './file.entity.js';
import { FilesController } from './files.controller.js';
import { FilesQuery } from './files.query.js';
import { FilesService } from './files.service.js';
import { FileStore } from './storage/file-store.js';
import { LocalFileStore } from './storage/local-file-store.js';
import { S3FileStore } from './storage/s3-file-store.js';
import { UploadService } from './upload.service.js';

/**
 * Files: uploads streamed into a FileStore (FILE_STORE: local disk under UPLOAD_DIR, or an S3 bucket), metadata
 * in PostgreSQL, downloads, validation and the `files.validate` job. Exports what
 * other modules use: FilesService.storeBackup (system backups), FileStore.check
 * (health) and FileValidationService.readAgentDefinitionFile (agent import job).
 */
@Module({
  imports: [TypeOrmModule.forFeature([FileEntity])],
  controllers: [FilesController],
  providers: [
    FilesQuery,
    FilesService,
    UploadService,
    FileValidationService,
    {
      provide: FileStore,
      useFactory: (config: AppConfig) =>
        config.fileStore === 's3' ? new S3FileStore(config) : new LocalFileStore(config),
      inject: [APP_CONFIG],
    },
    { provide: FileJobs, useClass: RuntimeFileJobs },
  ],
  exports: [FilesService, FileStore, FileValidationService],
})
export class FilesModule implements OnModuleInit {
  constructor(
    private readonly store: FileStore,
    private readonly catalog: JobCatalog,
    private readonly validation: FileValidationService,
  ) {}

  async onModuleInit(): Promise<void> {
    // Both roles need it: the api writes uploads, the worker validates and backs up.
    await this.store.init(FILE_CATEGORIES);
    registerFileJobs(this.catalog, this.validation);
  }
}
