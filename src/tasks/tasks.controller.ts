import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../auth/auth.decorator.js';
import { Cached } from '../common/cache/cached.decorator.js';
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
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['tasks'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'List tasks with filters (ready=true: startable now), search, sorting' })
  @ApiOkResponse({ type: TaskPageDto })
  list(@Query() query: ListTasksQuery): Promise<Page<TaskResponseDto>> {
    return this.tasks.list(query);
  }

  @Get('statistics')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['tasks'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'Counts by status, priority and type; rates and durations' })
  @ApiOkResponse({ type: TaskStatisticsDto })
  statistics(): Promise<TaskStatisticsDto> {
    return this.stats.statistics();
  }

  @Get(':id')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['tasks'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'Get a task' })
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiNotFoundResponse({ description: 'No such task' })
  get(@UuidParam() id: string): Promise<TaskResponseDto> {
    return this.tasks.get(id);
  }

  @Post()
  @Auth('operator')
  @ApiOperation({
    summary: 'Create a task (pending; blocked if a dependency already failed or was cancelled)',
  })
  @ApiCreatedResponse({ type: TaskResponseDto })
  create(@Body() dto: CreateTaskDto): Promise<TaskResponseDto> {
    return this.tasks.create(dto);
  }

  @Post('bulk-operation')
  @Auth('operator')
  @HttpCode(200)
  @RateLimit('bulk')
  @ApiOperation({
    summary: 'update | assign | cancel | retry | delete up to 100 tasks, with per-item results',
  })
  @ApiOkResponse({ type: BulkTaskResultDto })
  bulk(@Body() dto: BulkTaskOperationDto): Promise<BulkTaskResultDto> {
    return this.bulkService.operate(dto);
  }

  @Put(':id')
  @Auth('operator')
  @ApiOperation({ summary: 'Update the writable fields sent (status changes use the actions)' })
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiNotFoundResponse({ description: 'No such task' })
  @ApiConflictResponse({ description: 'Reassigning a task in progress' })
  update(@UuidParam() id: string, @Body() dto: UpdateTaskDto): Promise<TaskResponseDto> {
    return this.tasks.update(id, dto);
  }

  @Delete(':id')
  @Auth('operator')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a task; with dependents only with force=true' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such task' })
  @ApiConflictResponse({ description: 'Other tasks depend on it (use force=true)' })
  remove(@UuidParam() id: string, @Query() query: DeleteTaskQuery): Promise<void> {
    return this.tasks.remove(id, query.force);
  }

  @Get(':id/dependencies')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['tasks'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'Upstream and downstream tasks with their states: why is it blocked' })
  @ApiOkResponse({ type: TaskDependenciesDto })
  @ApiNotFoundResponse({ description: 'No such task' })
  dependencies(@UuidParam() id: string): Promise<TaskDependenciesDto> {
    return this.tasks.dependencies(id);
  }

  @Post(':id/dependencies')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Make the task depend on another (no self, no cycle)' })
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiNotFoundResponse({ description: 'No such task' })
  @ApiConflictResponse({ description: 'The edge would close a cycle (named), or the task started' })
  addDependency(@UuidParam() id: string, @Body() dto: AddDependencyDto): Promise<TaskResponseDto> {
    return this.tasks.addDependency(id, dto.dependency_id);
  }

  @Delete(':id/dependencies/:dependency_id')
  @Auth('operator')
  @ApiOperation({ summary: 'Remove a dependency (the task may be released or become ready)' })
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiNotFoundResponse({ description: 'No such task or dependency' })
  removeDependency(
    @UuidParam() id: string,
    @UuidParam('dependency_id') dependencyId: string,
  ): Promise<TaskResponseDto> {
    return this.tasks.removeDependency(id, dependencyId);
  }
}
