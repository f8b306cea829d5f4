import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { ForbiddenError } from '../common/errors/app-errors.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { EventBus } from '../realtime/event-bus.service.js';
import { toFileEventView, toFileResponse, type FileUploadResponseDto } from './dto/file.dto.js';
import type { FileCategory } from './file-categories.js';
import { FileJobs } from './file-jobs.js';
import { FilesQuery } from './files.query.js';
import { FileStore } from './storage/file-store.js';
import { UploadReception } from './upload-reception.js';

/** Multipart uploads: streamed and checked (UploadReception), then recorded all at once. */
@Injectable()
export class UploadService {
  private readonly logger = new Logger('Uploads');

  constructor(
    private readonly query: FilesQuery,
    private readonly store: FileStore,
    private readonly events: EventBus,
    private readonly jobs: FileJobs,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async upload(
    category: FileCategory,
    request: IncomingMessage,
    principal: Principal,
  ): Promise<FileUploadResponseDto> {
    if (category === 'backups')
      throw new ForbiddenError('Backups are written by the backup job only');
    const reception = new UploadReception(request, category, this.store, {
      maxFileSize: this.config.maxFileSize,
      maxFiles: this.config.maxFilesPerUpload,
    });
    const received = await reception.run();
    const sessionId = randomUUID();
    let saved;
    try {
      saved = await this.query.insertAll(
        received.files.map((file) => ({
          filename: file.filename,
          originalFilename: file.originalFilename,
          fileType: category,
          fileSize: file.size,
          mimeType: file.mimeType,
          checksum: file.sha256,
          storageKey: file.key,
          uploadedBy: principal.id,
          uploadSessionId: sessionId,
          tags: received.tags,
          metadata: received.metadata,
        })),
      );
    } catch (error) {
      await reception.discard();
      throw error;
    }
    const files = saved.map(toFileResponse);
    await this.events.publishAll(
      files.map((file) => ['file.uploaded', { file: toFileEventView(file) }] as const),
    );
    await this.submitJobs(
      category,
      files.map((file) => file.id),
    );
    return {
      files,
      total_uploaded: files.length,
      total_size: files.reduce((sum, file) => sum + file.file_size, 0),
      upload_session_id: sessionId,
    };
  }

  /** The files are safely stored either way; the job runtime re-derives what it missed. */
  private async submitJobs(category: FileCategory, fileIds: string[]): Promise<void> {
    try {
      await this.jobs.submitValidation(fileIds);
      if (category === 'agent_configs') await this.jobs.submitAgentConfigProcessing(fileIds);
    } catch (error) {
      this.logger.warn(`could not submit jobs for uploaded files: ${(error as Error).message}`);
    }
  }
}
