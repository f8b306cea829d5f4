import { Body, Controller, Delete, Get, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.decorator.js';
import { Read, Write } from '../auth/endpoint.decorator.js';
import type { Principal } from '../auth/principal.js';
import type { CachedOptions } from '../common/cache/cached.decorator.js';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import { DeleteTaskQuery } from './dto/task-actions.dto.js';
import { V1ListTasksQuery, V1TaskResponseDto } from './dto/task.dto.js';
import {
  V1AddDependencyDto,
  V1AssignTaskDto,
  V1BulkUpdateDto,
  V1CreateTaskDto,
  TaskV1MessageDto,
  V1TaskProgressDto,
  V1TaskStatsDto,
  V1TaskStatusDto,
  V1UpdateTaskDto,
} from './dto/task-v1.dto.js';
import { TaskStatisticsService } from './task-statistics.service.js';
import { TasksV1Service } from './tasks-v1.service.js';

const CACHE: CachedOptions = { families: ['tasks'], ttlSeconds: 10 };

/** The original v1 tasks API, in its original shapes, with the real graph and state machine. */
@ApiTags('tasks')
@ApiBadRequestResponse({ description: 'Invalid input (unknown fields, wrong types, bad ids)' })
@Controller({ path: 'tasks', version: '1' })
export class TasksV1Controller {
  constructor(
    private readonly tasks: TasksV1Service,
    private readonly stats: TaskStatisticsService,
  ) {}

  @Get()
  @Read({
    summary: 'List tasks (plain array, newest first)',
    type: [V1TaskResponseDto],
    cached: CACHE,
  })
  list(@Query() query: V1ListTasksQuery): Promise<V1TaskResponseDto[]> {
    return this.tasks.list(query);
  }

  @Get('stats/summary')
  @Read({
    summary: 'Counts by status, urgency, mean progress and completion rate',
    type: V1TaskStatsDto,
    cached: CACHE,
  })
  summary(): Promise<V1TaskStatsDto> {
    return this.stats.summaryV1();
  }

  @Get(':id')
  @Read({
    summary: 'Get a task',
    type: V1TaskResponseDto,
    cached: CACHE,
    notFound: 'Task not found',
  })
  get(@UuidParam() id: string): Promise<V1TaskResponseDto> {
    return this.tasks.get(id);
  }

  @Post()
  @Write({
    summary: 'Create a task (dependencies and agent must exist)',
    status: 201,
    type: V1TaskResponseDto,
  })
  create(@Body() dto: V1CreateTaskDto): Promise<V1TaskResponseDto> {
    return this.tasks.create(dto);
  }

  @Patch('bulk')
  @Write({
    summary: 'The same update to every task, all or nothing',
    type: [V1TaskResponseDto],
    conflict: 'A change is illegal for one of the tasks: nothing changed',
  })
  bulk(@Body() dto: V1BulkUpdateDto): Promise<V1TaskResponseDto[]> {
    return this.tasks.updateAll(dto);
  }

  @Put(':id')
  @Write({
    summary: 'Update the fields sent; a status change goes through the state machine',
    type: V1TaskResponseDto,
    notFound: 'Task not found',
    conflict: 'Illegal transition (naming the current state)',
  })
  update(@UuidParam() id: string, @Body() dto: V1UpdateTaskDto): Promise<V1TaskResponseDto> {
    return this.tasks.update(id, dto);
  }

  @Patch(':id/status')
  @Write({
    summary: 'Move to a status along the transition table',
    type: V1TaskResponseDto,
    agent: 'own-task',
    notFound: 'Task not found',
    conflict: 'Illegal transition or unmet dependencies',
  })
  setStatus(
    @UuidParam() id: string,
    @Body() dto: V1TaskStatusDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<V1TaskResponseDto> {
    return this.tasks.setStatus(id, dto, actor);
  }

  @Patch(':id/progress')
  @Write({
    summary: 'Report progress of a task in progress; 100 completes it',
    type: V1TaskResponseDto,
    agent: 'own-task',
    notFound: 'Task not found',
    conflict: 'The task is not in progress',
  })
  progress(
    @UuidParam() id: string,
    @Body() dto: V1TaskProgressDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<V1TaskResponseDto> {
    return this.tasks.progress(id, dto, actor);
  }

  @Patch(':id/assign')
  @Write({
    summary: 'Assign to an agent (which must exist)',
    type: V1TaskResponseDto,
    notFound: 'Task not found',
    conflict: 'The task’s state does not allow it',
  })
  assign(@UuidParam() id: string, @Body() dto: V1AssignTaskDto): Promise<V1TaskResponseDto> {
    return this.tasks.assign(id, dto);
  }

  @Post(':id/dependencies')
  @Write({
    summary: 'Add a dependency (must exist; no self, no cycle)',
    type: V1TaskResponseDto,
    conflict: 'The edge would close a cycle (named)',
  })
  addDependency(
    @UuidParam() id: string,
    @Body() dto: V1AddDependencyDto,
  ): Promise<V1TaskResponseDto> {
    return this.tasks.addDependency(id, dto.dependency_id);
  }

  @Delete(':id/dependencies/:dependency_id')
  @Write({ summary: 'Remove a dependency (quietly succeeds when absent)', type: V1TaskResponseDto })
  removeDependency(
    @UuidParam() id: string,
    @UuidParam('dependency_id') dependencyId: string,
  ): Promise<V1TaskResponseDto> {
    return this.tasks.removeDependency(id, dependencyId);
  }

  @Delete(':id')
  @Write({
    summary: 'Delete a task; with dependents only with force=true',
    type: TaskV1MessageDto,
    notFound: 'Task not found',
    conflict: 'Other tasks depend on it',
  })
  remove(@UuidParam() id: string, @Query() query: DeleteTaskQuery): Promise<TaskV1MessageDto> {
    return this.tasks.remove(id, query.force);
  }
}
