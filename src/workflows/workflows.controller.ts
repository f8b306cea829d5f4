import { Body, Controller, Delete, Get, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.decorator.js';
import { Read, Write } from '../auth/endpoint.decorator.js';
import type { Principal } from '../auth/principal.js';
import type { CachedOptions } from '../common/cache/cached.decorator.js';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import type { Page } from '../common/pagination/page.js';
import { ListRunsQuery, RunPageDto, type RunResponseDto } from './dto/run.dto.js';
import { WorkflowStatisticsDto } from './dto/statistics.dto.js';
import {
  CreateWorkflowDto,
  ExecuteAcceptedDto,
  ExecuteWorkflowDto,
  ListWorkflowsQuery,
  UpdateWorkflowDto,
  WorkflowPageDto,
  WorkflowResponseDto,
} from './dto/workflow.dto.js';
import { WorkflowRunsService } from './workflow-runs.service.js';
import { WorkflowStatisticsService } from './workflow-statistics.service.js';
import { WorkflowsService } from './workflows.service.js';

const CACHE: CachedOptions = { families: ['workflows'], ttlSeconds: 10 };

/** v2 workflows: definitions (DAGs of steps), execution and their runs. */
@ApiTags('workflows')
@ApiBadRequestResponse({
  description: 'Invalid input (unknown fields, wrong types, bad ids, invalid graph)',
})
@Controller({ path: 'workflows', version: '2' })
export class WorkflowsController {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly runs: WorkflowRunsService,
    private readonly stats: WorkflowStatisticsService,
  ) {}

  @Get()
  @Read({
    summary: 'List workflows (status is running/scheduled while such a run exists)',
    type: WorkflowPageDto,
    cached: CACHE,
  })
  list(@Query() query: ListWorkflowsQuery): Promise<Page<WorkflowResponseDto>> {
    return this.workflows.list(query);
  }

  @Get('statistics')
  @Read({
    summary: 'Workflows, runs, steps and dispatch figures, computed from the runs',
    type: WorkflowStatisticsDto,
    cached: CACHE,
  })
  statistics(): Promise<WorkflowStatisticsDto> {
    return this.stats.statistics();
  }

  @Get(':id')
  @Read({
    summary: 'Get a workflow with figures derived from its runs',
    type: WorkflowResponseDto,
    cached: CACHE,
    notFound: 'No such workflow',
  })
  get(@UuidParam() id: string): Promise<WorkflowResponseDto> {
    return this.workflows.get(id);
  }

  @Post()
  @Write({
    summary: 'Create a workflow; steps are checked (unique keys, known dependencies, no cycle)',
    status: 201,
    type: WorkflowResponseDto,
  })
  create(@Body() dto: CreateWorkflowDto): Promise<WorkflowResponseDto> {
    return this.workflows.createV2(dto);
  }

  @Put(':id')
  @Write({
    summary: 'Update the fields sent; a new definition applies to later runs',
    type: WorkflowResponseDto,
    notFound: 'No such workflow',
  })
  update(@UuidParam() id: string, @Body() dto: UpdateWorkflowDto): Promise<WorkflowResponseDto> {
    return this.workflows.updateV2(id, dto);
  }

  @Delete(':id')
  @Write({
    summary: 'Delete a workflow and its finished runs',
    status: 204,
    notFound: 'No such workflow',
    conflict: 'It has an unfinished run',
  })
  remove(@UuidParam() id: string): Promise<void> {
    return this.workflows.remove(id);
  }

  @Post(':id/execute')
  @Write({
    summary:
      'Start a run (one task per step, dispatched to agents), or schedule it with scheduled_at',
    status: 202,
    type: ExecuteAcceptedDto,
    notFound: 'No such workflow',
    conflict: 'A step names an agent that no longer exists',
  })
  execute(
    @UuidParam() id: string,
    @Body() dto: ExecuteWorkflowDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<ExecuteAcceptedDto> {
    return this.workflows.execute(id, dto, actor);
  }

  @Get(':id/runs')
  @Read({
    summary: 'The runs of a workflow',
    type: RunPageDto,
    cached: CACHE,
    notFound: 'No such workflow',
  })
  runsOf(@UuidParam() id: string, @Query() query: ListRunsQuery): Promise<Page<RunResponseDto>> {
    return this.runs.list(id, query);
  }
}
