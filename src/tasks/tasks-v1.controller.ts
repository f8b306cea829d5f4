import { ApiErrors } from '../common/http/api-responses.js';
import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, CurrentPrincipal } from '../auth/auth.decorator.js';
import type { Principal } from '../auth/principal.js';
import { Cached } from '../common/cache/cached.decorator.js';
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
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['tasks'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'List tasks (plain array, newest first)' })
  @ApiOkResponse({ type: [V1TaskResponseDto] })
  list(@Query() query: V1ListTasksQuery): Promise<V1TaskResponseDto[]> {
    return this.tasks.list(query);
  }

  @Get('stats/summary')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['tasks'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'Counts by status, urgency, mean progress and completion rate' })
  @ApiOkResponse({ type: V1TaskStatsDto })
  summary(): Promise<V1TaskStatsDto> {
    return this.stats.summaryV1();
  }

  @Get(':id')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['tasks'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'Get a task' })
  @ApiOkResponse({ type: V1TaskResponseDto })
  @ApiNotFoundResponse({ description: 'Task not found' })
  get(@UuidParam() id: string): Promise<V1TaskResponseDto> {
    return this.tasks.get(id);
  }

  @Post()
  @Auth('operator')
  @ApiOperation({ summary: 'Create a task (dependencies and agent must exist)' })
  @ApiCreatedResponse({ type: V1TaskResponseDto })
  create(@Body() dto: V1CreateTaskDto): Promise<V1TaskResponseDto> {
    return this.tasks.create(dto);
  }

  @Patch('bulk')
  @Auth('operator')
  @ApiOperation({ summary: 'The same update to every task, all or nothing' })
  @ApiOkResponse({ type: [V1TaskResponseDto] })
  @ApiConflictResponse({ description: 'A change is illegal for one of the tasks: nothing changed' })
  bulk(@Body() dto: V1BulkUpdateDto): Promise<V1TaskResponseDto[]> {
    return this.tasks.updateAll(dto);
  }

  @Put(':id')
  @Auth('operator')
  @ApiOperation({
    summary: 'Update the fields sent; a status change goes through the state machine',
  })
  @ApiOkResponse({ type: V1TaskResponseDto })
  @ApiNotFoundResponse({ description: 'Task not found' })
  @ApiConflictResponse({ description: 'Illegal transition (naming the current state)' })
  update(@UuidParam() id: string, @Body() dto: V1UpdateTaskDto): Promise<V1TaskResponseDto> {
    return this.tasks.update(id, dto);
  }

  @Patch(':id/status')
  @Auth('operator', { agent: 'own-task' })
  @ApiOperation({ summary: 'Move to a status along the transition table' })
  @ApiOkResponse({ type: V1TaskResponseDto })
  @ApiNotFoundResponse({ description: 'Task not found' })
  @ApiConflictResponse({ description: 'Illegal transition or unmet dependencies' })
  setStatus(
    @UuidParam() id: string,
    @Body() dto: V1TaskStatusDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<V1TaskResponseDto> {
    return this.tasks.setStatus(id, dto, actor);
  }

  @Patch(':id/progress')
  @Auth('operator', { agent: 'own-task' })
  @ApiOperation({ summary: 'Report progress of a task in progress; 100 completes it' })
  @ApiOkResponse({ type: V1TaskResponseDto })
  @ApiNotFoundResponse({ description: 'Task not found' })
  @ApiConflictResponse({ description: 'The task is not in progress' })
  progress(
    @UuidParam() id: string,
    @Body() dto: V1TaskProgressDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<V1TaskResponseDto> {
    return this.tasks.progress(id, dto, actor);
  }

  @Patch(':id/assign')
  @Auth('operator')
  @ApiOperation({ summary: 'Assign to an agent (which must exist)' })
  @ApiOkResponse({ type: V1TaskResponseDto })
  @ApiErrors([409, 'The task’s state does not allow it'])
  @ApiNotFoundResponse({ description: 'Task not found' })
  assign(@UuidParam() id: string, @Body() dto: V1AssignTaskDto): Promise<V1TaskResponseDto> {
    return this.tasks.assign(id, dto);
  }

  @Post(':id/dependencies')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a dependency (must exist; no self, no cycle)' })
  @ApiOkResponse({ type: V1TaskResponseDto })
  @ApiConflictResponse({ description: 'The edge would close a cycle (named)' })
  addDependency(
    @UuidParam() id: string,
    @Body() dto: V1AddDependencyDto,
  ): Promise<V1TaskResponseDto> {
    return this.tasks.addDependency(id, dto.dependency_id);
  }

  @Delete(':id/dependencies/:dependency_id')
  @Auth('operator')
  @ApiOperation({ summary: 'Remove a dependency (quietly succeeds when absent)' })
  @ApiOkResponse({ type: V1TaskResponseDto })
  removeDependency(
    @UuidParam() id: string,
    @UuidParam('dependency_id') dependencyId: string,
  ): Promise<V1TaskResponseDto> {
    return this.tasks.removeDependency(id, dependencyId);
  }

  @Delete(':id')
  @Auth('operator')
  @ApiOperation({ summary: 'Delete a task; with dependents only with force=true' })
  @ApiOkResponse({ type: TaskV1MessageDto })
  @ApiNotFoundResponse({ description: 'Task not found' })
  @ApiConflictResponse({ description: 'Other tasks depend on it' })
  remove(@UuidParam() id: string, @Query() query: DeleteTaskQuery): Promise<TaskV1MessageDto> {
    return this.tasks.remove(id, query.force);
  }
}
