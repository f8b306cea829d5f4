import { Body, Controller, Delete, Get, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.decorator.js';
import { Read, Write } from '../auth/endpoint.decorator.js';
import type { Principal } from '../auth/principal.js';
import type { CachedOptions } from '../common/cache/cached.decorator.js';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import { V1TaskResponseDto } from '../tasks/dto/task.dto.js';
import {
  V1AddAgentDto,
  V1CreateWorkflowDto,
  V1ExecuteDto,
  V1ListWorkflowsQuery,
  V1TemplateDto,
  V1UpdateWorkflowDto,
  V1WorkflowProgressDto,
  V1WorkflowStatusDto,
} from './dto/workflow-v1.dto.js';
import {
  V1ExecutionDto,
  WorkflowV1MessageDto,
  V1WorkflowResponseDto,
  V1WorkflowStatsDto,
} from './dto/workflow-v1-responses.dto.js';
import { WorkflowsV1Service } from './workflows-v1.service.js';

const CACHE: CachedOptions = { families: ['workflows'], ttlSeconds: 10 };

/** The original v1 workflows API, in its shapes, over real runs and orchestration. */
@ApiTags('workflows')
@ApiBadRequestResponse({
  description: 'Invalid input (unknown fields, wrong types, bad ids, invalid graph)',
})
@Controller({ path: 'workflows', version: '1' })
export class WorkflowsV1Controller {
  constructor(private readonly workflows: WorkflowsV1Service) {}

  @Get()
  @Read({
    summary: 'List workflows (plain array, newest first)',
    type: [V1WorkflowResponseDto],
    cached: CACHE,
  })
  list(@Query() query: V1ListWorkflowsQuery): Promise<V1WorkflowResponseDto[]> {
    return this.workflows.list(query);
  }

  @Get('stats/summary')
  @Read({
    summary: 'Counts by status, templates, mean progress and success rate',
    type: V1WorkflowStatsDto,
    cached: CACHE,
  })
  summary(): Promise<V1WorkflowStatsDto> {
    return this.workflows.statsSummary();
  }

  @Post('templates')
  @Write({
    summary: 'Create a template (an inactive workflow flagged is_template)',
    status: 201,
    type: V1WorkflowResponseDto,
  })
  createTemplate(@Body() dto: V1TemplateDto): Promise<V1WorkflowResponseDto> {
    return this.workflows.createTemplate(dto);
  }

  @Get(':id')
  @Read({
    summary: 'Get a workflow',
    type: V1WorkflowResponseDto,
    cached: CACHE,
    notFound: 'Workflow not found',
  })
  get(@UuidParam() id: string): Promise<V1WorkflowResponseDto> {
    return this.workflows.get(id);
  }

  @Post()
  @Write({
    summary: 'Create a workflow (assigned agents must exist; steps are checked)',
    status: 201,
    type: V1WorkflowResponseDto,
  })
  create(@Body() dto: V1CreateWorkflowDto): Promise<V1WorkflowResponseDto> {
    return this.workflows.create(dto);
  }

  @Put(':id')
  @Write({
    summary: 'Update the fields sent; derived figures sent are kept as reported',
    type: V1WorkflowResponseDto,
    notFound: 'Workflow not found',
  })
  update(
    @UuidParam() id: string,
    @Body() dto: V1UpdateWorkflowDto,
  ): Promise<V1WorkflowResponseDto> {
    return this.workflows.update(id, dto);
  }

  @Patch(':id/status')
  @Write({
    summary: 'Set the status; paused/active/cancelled also pause, resume or cancel its runs',
    type: V1WorkflowResponseDto,
    notFound: 'Workflow not found',
  })
  setStatus(
    @UuidParam() id: string,
    @Body() dto: V1WorkflowStatusDto,
  ): Promise<V1WorkflowResponseDto> {
    return this.workflows.setStatus(id, dto);
  }

  @Patch(':id/progress')
  @Write({
    summary: 'Store reported progress figures (the derived ones are never overwritten)',
    type: V1WorkflowResponseDto,
    notFound: 'Workflow not found',
  })
  progress(
    @UuidParam() id: string,
    @Body() dto: V1WorkflowProgressDto,
  ): Promise<V1WorkflowResponseDto> {
    return this.workflows.reportProgress(id, dto);
  }

  @Post(':id/agents')
  @Write({
    summary: 'Assign an agent (which must exist)',
    type: V1WorkflowResponseDto,
    notFound: 'Workflow not found',
  })
  addAgent(@UuidParam() id: string, @Body() dto: V1AddAgentDto): Promise<V1WorkflowResponseDto> {
    return this.workflows.addAgent(id, dto);
  }

  @Delete(':id/agents/:agent_id')
  @Write({
    summary: 'Unassign an agent',
    type: V1WorkflowResponseDto,
    notFound: 'Workflow not found',
  })
  removeAgent(
    @UuidParam() id: string,
    @UuidParam('agent_id') agentId: string,
  ): Promise<V1WorkflowResponseDto> {
    return this.workflows.removeAgent(id, agentId);
  }

  @Get(':id/tasks')
  @Read({
    summary: 'The tasks of the workflow’s runs (v1 task shape)',
    type: [V1TaskResponseDto],
    cached: { families: ['workflows', 'tasks'], ttlSeconds: 10 },
    notFound: 'Workflow not found',
  })
  tasks(@UuidParam() id: string): Promise<V1TaskResponseDto[]> {
    return this.workflows.tasks(id);
  }

  @Post(':id/execute')
  @Write({
    summary: 'Start a real run (or schedule it with scheduled_at)',
    type: V1ExecutionDto,
    notFound: 'Workflow not found',
    conflict: 'A step names an agent that no longer exists',
  })
  execute(
    @UuidParam() id: string,
    @Body() dto: V1ExecuteDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<V1ExecutionDto> {
    return this.workflows.execute(id, dto, actor);
  }

  @Delete(':id')
  @Write({
    summary: 'Delete a workflow and its finished runs',
    type: WorkflowV1MessageDto,
    notFound: 'Workflow not found',
    conflict: 'It has an unfinished run',
  })
  remove(@UuidParam() id: string): Promise<WorkflowV1MessageDto> {
    return this.workflows.remove(id);
  }
}
