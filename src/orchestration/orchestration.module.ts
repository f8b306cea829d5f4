import { Global, Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { RunEngine } from '../workflows/run-engine.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { DispatchTriggerService } from './dispatch-trigger.service.js';
import { DispatchRepository } from './dispatch.repository.js';
import { DispatchService } from './dispatch.service.js';
import { OrchestrationSubscriberService } from './orchestration-subscriber.service.js';
import { OrchestrationSweepService } from './orchestration-sweep.service.js';
import { OrchestrationJobs } from './orchestration.jobs.js';
import { OrchestratorService } from './orchestrator.service.js';

/**
 * The workflow engine: dispatch of ready steps onto agents, the failure policy, retries,
 * time-outs and the sweep. It builds on workflows (runs), tasks and agents; workflows'
 * run control reaches it only through the `RunEngine` contract it provides. Global for
 * that one provider alone: workflows cannot import this module without a cycle.
 */
@Global()
@Module({
  imports: [AgentsModule, TasksModule, WorkflowsModule],
  providers: [
    DispatchRepository,
    DispatchTriggerService,
    DispatchService,
    OrchestratorService,
    { provide: RunEngine, useExisting: OrchestratorService },
    OrchestrationSubscriberService,
    OrchestrationSweepService,
    OrchestrationJobs,
  ],
  exports: [RunEngine],
})
export class OrchestrationModule {}
