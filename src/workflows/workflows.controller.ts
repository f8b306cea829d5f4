import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, CurrentPrincipal } from '../auth/auth.decorator.js';
import type { Principal } from '../auth/principal.js';
import { Cached } from '../common/cache/cached.decorator.js';
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
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['workflows'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'List workflows (status is running/scheduled while such a run exists)' })
  @ApiOkResponse({ type: WorkflowPageDto })
  list(@Query() query: ListWorkflowsQuery): Promise<Page<WorkflowResponseDto>> {
    return this.workflows.list(query);
  }

  @Get('statistics')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['workflows'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'Workflows, runs, steps and dispatch figures, computed from the runs' })
  @ApiOkResponse({ type: WorkflowStatisticsDto })
  statistics(): Promise<WorkflowStatisticsDto> {
    return this.stats.statistics();
  }

  @Get(':id')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['workflows'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'Get a workflow with figures derived from its runs' })
  @ApiOkResponse({ type: WorkflowResponseDto })
  @ApiNotFoundResponse({ description: 'No such workflow' })
  get(@UuidParam() id: string): Promise<WorkflowResponseDto> {
    return this.workflows.get(id);
  }

  @Post()
  @Auth('operator')
  @ApiOperation({
    summary: 'Create a workflow; steps are checked (unique keys, known dependencies, no cycle)',
  })
  @ApiCreatedResponse({ type: WorkflowResponseDto })
  create(@Body() dto: CreateWorkflowDto): Promise<WorkflowResponseDto> {
    return this.workflows.createV2(dto);
  }

  @Put(':id')
  @Auth('operator')
  @ApiOperation({ summary: 'Update the fields sent; a new definition applies to later runs' })
  @ApiOkResponse({ type: WorkflowResponseDto })
  @ApiNotFoundResponse({ description: 'No such workflow' })
  update(@UuidParam() id: string, @Body() dto: UpdateWorkflowDto): Promise<WorkflowResponseDto> {
    return this.workflows.updateV2(id, dto);
  }

  @Delete(':id')
  @Auth('operator')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a workflow and its finished runs' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such workflow' })
  @ApiConflictResponse({ description: 'It has an unfinished run' })
  remove(@UuidParam() id: string): Promise<void> {
    return this.workflows.remove(id);
  }

  @Post(':id/execute')
  @Auth('operator')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Start a run (one task per step, dispatched to agents), or schedule it with scheduled_at',
  })
  @ApiAcceptedResponse({ type: ExecuteAcceptedDto })
  @ApiNotFoundResponse({ description: 'No such workflow' })
  @ApiConflictResponse({ description: 'A step names an agent that no longer exists' })
  execute(
    @UuidParam() id: string,
    @Body() dto: ExecuteWorkflowDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<ExecuteAcceptedDto> {
    return this.workflows.execute(id, dto, actor);
  }

  @Get(':id/runs')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['workflows'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'The runs of a workflow' })
  @ApiOkResponse({ type: RunPageDto })
  @ApiNotFoundResponse({ description: 'No such workflow' })
  runsOf(@UuidParam() id: string, @Query() query: ListRunsQuery): Promise<Page<RunResponseDto>> {
    return this.runs.list(id, query);
  }
}
