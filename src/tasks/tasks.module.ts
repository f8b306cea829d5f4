import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module.js';
import { TaskDependencyEntity } from './entities/task-dependency.entity.js';
import { TaskEntity } from './entities/task.entity.js';
import { TaskActionsController } from './task-actions.controller.js';
import { TaskBulkService } from './task-bulk.service.js';
import { TaskChanges } from './task-changes.service.js';
import { TaskCommands } from './task-commands.service.js';
import { TaskDependencies } from './task-dependencies.service.js';
import { TaskMoves } from './task-moves.service.js';
import { TaskStatisticsService } from './task-statistics.service.js';
import { TasksController } from './tasks.controller.js';
import { TasksGateway } from './tasks.gateway.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';
import { TasksV1Controller } from './tasks-v1.controller.js';
import { TasksV1Service } from './tasks-v1.service.js';

/**
 * Tasks and their dependency graph. Other modules use `TasksService` (v2), `TasksV1Service`
 * (v1 shapes) and `TaskCommands` (changes inside their own transactions, subscribers).
 */
@Module({
  imports: [TypeOrmModule.forFeature([TaskEntity, TaskDependencyEntity]), AgentsModule],
  controllers: [TasksV1Controller, TasksController, TaskActionsController],
  providers: [
    TasksRepository,
    TaskChanges,
    TaskDependencies,
    TaskMoves,
    TaskCommands,
    TasksService,
    TasksV1Service,
    TaskBulkService,
    TaskStatisticsService,
    TasksGateway,
  ],
  exports: [TasksService, TasksV1Service, TaskCommands],
})
export class TasksModule {}
