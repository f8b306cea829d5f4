import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { StepDispatchEntity } from './entities/step-dispatch.entity.js';
import { WorkflowRunStepEntity } from './entities/workflow-run-step.entity.js';
import { WorkflowRunEntity } from './entities/workflow-run.entity.js';
import { WorkflowEntity } from './entities/workflow.entity.js';
import { HistoryRepository } from './history.repository.js';
import { HistoryV1Controller } from './history-v1.controller.js';
import { RunImportService } from './run-import.service.js';
import { RunViews } from './run-views.service.js';
import { RunStore } from './run-store.js';
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

/** Workflow definitions, runs (their rows, control and import) and their history; the engine is `OrchestrationModule`. */
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
    RunStore,
    HistoryRepository,
    RunViews,
    WorkflowRunsService,
    WorkflowsService,
    WorkflowsV1Service,
    WorkflowHistoryService,
    WorkflowStatisticsService,
    RunImportService,
    WorkflowJobs,
    WorkflowRetention,
  ],
  exports: [WorkflowRunsService, RunImportService, RunStore, RunViews],
})
export class WorkflowsModule {}
