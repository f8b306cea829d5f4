import { Injectable, Logger } from '@nestjs/common';

/**
 * How the files module asks for background work after an upload. The job runtime
 * (durable records, Bull queues) lives in the jobs module; this seam keeps the
 * files module independent of it.
 */
export abstract class FileJobs {
  /** Submit `files.validate {file_id}` for each file. */
  abstract submitValidation(fileIds: string[]): Promise<void>;

  /** Submit `files.process_agent_configs {file_ids}` for freshly uploaded agent configurations. */
  abstract submitAgentConfigProcessing(fileIds: string[]): Promise<void>;
}

/**
 * Placeholder binding of FileJobs until the job runtime's submission API exists:
 * the lead connects it here (bind FileJobs to an implementation that submits
 * through the runtime). Until then nothing is submitted, and it says so in the log;
 * FileValidationService.validateAndStore holds the job's logic and can be run directly.
 */
@Injectable()
export class PendingFileJobs extends FileJobs {
  private readonly logger = new Logger('FileJobs');

  async submitValidation(fileIds: string[]): Promise<void> {
    this.logger.debug(
      `job runtime not connected: files.validate not submitted for ${fileIds.length} file(s)`,
    );
  }

  async submitAgentConfigProcessing(fileIds: string[]): Promise<void> {
    this.logger.debug(
      `job runtime not connected: files.process_agent_configs not submitted for ${fileIds.length} file(s)`,
    );
  }
}
