import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import type { JobCatalog } from '../jobs/job-catalog.service.js';
import { QUEUES } from '../jobs/queues.js';
import type { FileValidationService } from './file-validation.service.js';

export class ValidateFileJobParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  file_id: string;
}

/** The files module's job types (files.process_agent_configs belongs with the agents module). */
export function registerFileJobs(catalog: JobCatalog, validation: FileValidationService): void {
  catalog.register({
    name: 'files.validate',
    description:
      "Validates a stored file as its own type and keeps the result on the file's validation",
    queue: QUEUES.files,
    params: ValidateFileJobParams,
    schema: {
      type: 'object',
      properties: { file_id: { type: 'string', format: 'uuid' } },
      required: ['file_id'],
      additionalProperties: false,
    },
    // Reading a file and writing one row: retry only what looks transient (the database, the disk).
    attempts: 3,
    backoffMs: 2_000,
    timeoutMs: 600_000,
    handler: (context) => validation.validateAndStore(context.params.file_id, context.signal),
  });
}
