import { Body, Controller, Delete, Get, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import { Read, Write } from '../auth/endpoint.decorator.js';
import type { CachedOptions } from '../common/cache/cached.decorator.js';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import type { Page } from '../common/pagination/page.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { AddDependencyDto, DeleteTaskQuery, TaskDependenciesDto } from './dto/task-actions.dto.js';
import { BulkTaskOperationDto, BulkTaskResultDto, TaskStatisticsDto } from './dto/task-bulk.dto.js';
import {
  CreateTaskDto,
  ListTasksQuery,
  TaskPageDto,
  TaskResponseDto,
  UpdateTaskDto,
} from './dto/task.dto.js';
import { TaskBulkService } from './task-bulk.service.js';
import { TaskStatisticsService } from './task-statistics.service.js';
import { TasksService } from './tasks.service.js';

const CACHE: CachedOptions = { families: ['tasks'], ttlSeconds: 10 };

/** v2 tasks: the registry and the dependency graph. */
@ApiTags('tasks')
@ApiBadRequestResponse({ description: 'Invalid input (unknown fields, wrong types, bad ids)' })
@Controller({ path: 'tasks', version: '2' })
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly bulkService: TaskBulkService,
    private readonly stats: TaskStatisticsService,
  ) {}

  @Get()
  @Read({
    summary: 'List tasks with filters (ready=true: startable now), search, sorting',
    type: TaskPageDto,
    cached: CACHE,
  })
  list(@Query() query: ListTasksQuery): Promise<Page<TaskResponseDto>> {
    return this.tasks.list(query);
  }

  @Get('statistics')
  @Read({
    summary: 'Counts by status, priority and type; rates and durations',
    type: TaskStatisticsDto,
    cached: CACHE,
  })
  statistics(): Promise<TaskStatisticsDto> {
    return this.stats.statistics();
  }

  @Get(':id')
  @Read({ summary: 'Get a task', type: TaskResponseDto, cached: CACHE, notFound: 'No such task' })
  get(@UuidParam() id: string): Promise<TaskResponseDto> {
    return this.tasks.get(id);
  }

  @Post()
  @Write({
    summary: 'Create a task (pending; blocked if a dependency already failed or was cancelled)',
    status: 201,
    type: TaskResponseDto,
  })
  create(@Body() dto: CreateTaskDto): Promise<TaskResponseDto> {
    return this.tasks.create(dto);
  }

  @Post('bulk-operation')
  @Write({
    summary: 'update | assign | cancel | retry | delete up to 100 tasks, with per-item results',
    type: BulkTaskResultDto,
  })
  @RateLimit('bulk')
  bulk(@Body() dto: BulkTaskOperationDto): Promise<BulkTaskResultDto> {
    return this.bulkService.operate(dto);
  }

  @Put(':id')
  @Write({
    summary: 'Update the writable fields sent (status changes use the actions)',
    type: TaskResponseDto,
    notFound: 'No such task',
    conflict: 'Reassigning a task in progress',
  })
  update(@UuidParam() id: string, @Body() dto: UpdateTaskDto): Promise<TaskResponseDto> {
    return this.tasks.update(id, dto);
  }

  @Delete(':id')
  @Write({
    summary: 'Delete a task; with dependents only with force=true',
    status: 204,
    notFound: 'No such task',
    conflict: 'Other tasks depend on it (use force=true)',
  })
  remove(@UuidParam() id: string, @Query() query: DeleteTaskQuery): Promise<void> {
    return this.tasks.remove(id, query.force);
  }

  @Get(':id/dependencies')
  @Read({
    summary: 'Upstream and downstream tasks with their states: why is it blocked',
    type: TaskDependenciesDto,
    cached: CACHE,
    notFound: 'No such task',
  })
  dependencies(@UuidParam() id: string): Promise<TaskDependenciesDto> {
    return this.tasks.dependencies(id);
  }

  @Post(':id/dependencies')
  @Write({
    summary: 'Make the task depend on another (no self, no cycle)',
    type: TaskResponseDto,
    notFound: 'No such task',
    conflict: 'The edge would close a cycle (named), or the task started',
  })
  addDependency(@UuidParam() id: string, @Body() dto: AddDependencyDto): Promise<TaskResponseDto> {
    return this.tasks.addDependency(id, dto.dependency_id);
  }

  @Delete(':id/dependencies/:dependency_id')
  @Write({
    summary: 'Remove a dependency (the task may be released or become ready)',
    type: TaskResponseDto,
    notFound: 'No such task or dependency',
  })
  removeDependency(
    @UuidParam() id: string,
    @UuidParam('dependency_id') dependencyId: string,
  ): Promise<TaskResponseDto> {
    return this.tasks.removeDependency(id, dependencyId);
  }
}
