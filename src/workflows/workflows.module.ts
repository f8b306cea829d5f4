import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { DispatchSignal } from './dispatch-signal.service.js';
import { DispatchRepository } from './dispatch.repository.js';
import { Dispatcher } from './dispatcher.service.js';
import { StepDispatchEntity } from './entities/step-dispatch.entity.js';
import { WorkflowRunStepEntity } from './entities/workflow-run-step.entity.js';
import { WorkflowRunEntity } from './entities/workflow-run.entity.js';
import { WorkflowEntity } from './entities/workflow.entity.js';
import { HistoryRepository } from './history.repository.js';
import { HistoryV1Controller } from './history-v1.controller.js';
import { OrchestrationHooks } from './orchestration-hooks.service.js';
import { OrchestrationSweep } from './orchestration-sweep.service.js';
import { Orchestrator } from './orchestrator.service.js';
import { RunImportService } from './run-import.service.js';
import { RunViews } from './run-views.service.js';
import { RunsRepository } from './runs.repository.js';
import { WorkflowHistoryService } from './workflow-history.service.js';
import { WorkflowRetention } from './workflow-retention.js';
import { WorkflowRunsController } from './workflow-runs.controller.js';
import { WorkflowRunsService } from './workflow-runs.service.js';
import { WorkflowStatisticsService } from './workflow-statistics.service.js';
import { WorkflowJobs } from './workflows.jobs.js';
import { WorkflowsController } from './workflows.controller.js';
import { WorkflowsRepository } from './workflows.repository.js';
import { WorkflowsService } from './workflows.service.js';
import { WorkflowsV1Controller } from './workflows-v1.controller.js';
import { WorkflowsV1Service } from './workflows-v1.service.js';

/** Workflow definitions, runs orchestrated onto agents, and their history. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      WorkflowEntity,
      WorkflowRunEntity,
      WorkflowRunStepEntity,
      StepDispatchEntity,
    ]),
    AgentsModule,
    TasksModule,
  ],
  controllers: [
    WorkflowsV1Controller,
    WorkflowRunsController,
    WorkflowsController,
    HistoryV1Controller,
  ],
  providers: [
    WorkflowsRepository,
    RunsRepository,
    DispatchRepository,
    HistoryRepository,
    RunViews,
    DispatchSignal,
    Dispatcher,
    Orchestrator,
    WorkflowRunsService,
    WorkflowsService,
    WorkflowsV1Service,
    WorkflowHistoryService,
    WorkflowStatisticsService,
    RunImportService,
    OrchestrationHooks,
    OrchestrationSweep,
    WorkflowJobs,
    WorkflowRetention,
  ],
  exports: [WorkflowRunsService, RunImportService],
})
export class WorkflowsModule {}
