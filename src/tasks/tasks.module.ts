import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module.js';
import { TaskDependencyEntity } from './entities/task-dependency.entity.js';
import { TaskEntity } from './entities/task.entity.js';
import { TaskActionsController } from './task-actions.controller.js';
import { TaskBulkService } from './task-bulk.service.js';
import { TaskGraphService } from './task-graph.service.js';
import { TaskHooks } from './task-hooks.js';
import { TaskLifecycleService } from './task-lifecycle.service.js';
import { TaskStatisticsService } from './task-statistics.service.js';
import { TaskViews } from './task-views.service.js';
import { TasksController } from './tasks.controller.js';
import { TasksGateway } from './tasks.gateway.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';
import { TasksV1Controller } from './tasks-v1.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([TaskEntity, TaskDependencyEntity]), AgentsModule],
  controllers: [TasksV1Controller, TasksController, TaskActionsController],
  providers: [
    TaskHooks,
    TasksRepository,
    TaskViews,
    TaskGraphService,
    TaskLifecycleService,
    TasksService,
    TaskBulkService,
    TaskStatisticsService,
    TasksGateway,
  ],
  exports: [TasksService, TaskLifecycleService, TaskGraphService, TaskViews, TaskHooks],
})
export class TasksModule {}
