import { Injectable } from '@nestjs/common';
import { JobsService } from '../jobs/jobs.service.js';

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

/** Submits the files' jobs through the job system: durable records, then Bull. */
@Injectable()
export class RuntimeFileJobs extends FileJobs {
  constructor(private readonly jobs: JobsService) {
    super();
  }

  async submitValidation(fileIds: string[]): Promise<void> {
    for (const fileId of fileIds) {
      await this.jobs.submit(
        { task_name: 'files.validate', parameters: { file_id: fileId } },
        null,
      );
    }
  }

  async submitAgentConfigProcessing(fileIds: string[]): Promise<void> {
    await this.jobs.submit(
      { task_name: 'files.process_agent_configs', parameters: { file_ids: fileIds } },
      null,
    );
  }
}
