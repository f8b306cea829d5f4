import { Injectable, OnModuleInit } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsUUID } from 'class-validator';
import { JobCatalog } from '../jobs/job-catalog.service.js';
import { QUEUES } from '../jobs/queues.js';
import { WorkflowRunsService } from './workflow-runs.service.js';

export class ExecuteWorkflowParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  workflow_id: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;
}

/** The workflows' job type (the engine's is in `OrchestrationJobs`); the handler only calls the service. */
@Injectable()
export class WorkflowJobs implements OnModuleInit {
  constructor(
    private readonly catalog: JobCatalog,
    private readonly runs: WorkflowRunsService,
  ) {}

  onModuleInit(): void {
    this.catalog.register<ExecuteWorkflowParams, { run_id: string; status: string }>({
      name: 'workflows.execute',
      description:
        'Executes a workflow: creates a run with one task per step and has it orchestrated; returns the run id',
      queue: QUEUES.workflows,
      params: ExecuteWorkflowParams,
      schema: {
        type: 'object',
        required: ['workflow_id'],
        additionalProperties: false,
        properties: {
          workflow_id: { type: 'string', format: 'uuid' },
          parameters: { type: 'object' },
        },
      },
      attempts: 3,
      backoffMs: 1_000,
      timeoutMs: 120_000,
      checkpoints: true,
      handler: async ({ params, signal, resume, checkpoint }) => {
        // A run made by an earlier attempt of this job is not made twice.
        if (typeof resume?.run_id === 'string')
          return {
            run_id: resume.run_id,
            status: typeof resume.status === 'string' ? resume.status : 'running',
          };
        signal.throwIfAborted();
        const run = await this.runs.execute(
          params.workflow_id,
          { parameters: params.parameters },
          null,
          {
            trigger: 'job',
            checkpoint: (manager, run) =>
              checkpoint({ run_id: run.id, status: run.status }, manager),
          },
        );
        return { run_id: run.id, status: run.status };
      },
    });
  }
}
