import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobCatalog } from '../jobs/job-catalog.service.js';
import { QUEUES } from '../jobs/queues.js';
import { ANY_RUN, DISPATCH_JOB, DispatchTriggerService } from './dispatch-trigger.service.js';
import { DispatchService } from './dispatch.service.js';
import { OrchestratorService } from './orchestrator.service.js';
import { UuidField } from '../common/validation/fields.js';

export class DispatchParams {
  @UuidField({ nullable: true, doc: { description: 'Omitted: every running run' } })
  run_id?: string;
}

/** The engine's job type; its handler only calls the services, which hold the logic. */
@Injectable()
export class OrchestrationJobs implements OnModuleInit {
  constructor(
    private readonly catalog: JobCatalog,
    private readonly orchestrator: OrchestratorService,
    private readonly dispatch: DispatchService,
    private readonly trigger: DispatchTriggerService,
  ) {}

  onModuleInit(): void {
    this.catalog.register<DispatchParams, { run_id: string | null }>({
      name: DISPATCH_JOB,
      description:
        'Internal (queued by the orchestrator): moves a run forward (failure policy, retries, dispatch of ready steps), or dispatches waiting steps of every running run',
      queue: QUEUES.workflows,
      params: DispatchParams,
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { run_id: { type: 'string', format: 'uuid' } },
      },
      role: 'admin',
      attempts: 3,
      backoffMs: 500,
      timeoutMs: 60_000,
      handler: async ({ params }) => {
        const runId = params.run_id ?? null;
        await this.trigger.serve(runId ?? ANY_RUN, async () => {
          if (runId) await this.orchestrator.advance(runId);
          else await this.dispatch.dispatch(null);
        });
        return { run_id: runId };
      },
    });
  }
}
