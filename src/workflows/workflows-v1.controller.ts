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

/** The original v1 workflows API, in its shapes, over real runs and orchestration. */
@ApiTags('workflows')
@ApiBadRequestResponse({
  description: 'Invalid input (unknown fields, wrong types, bad ids, invalid graph)',
})
@Controller({ path: 'workflows', version: '1' })
export class WorkflowsV1Controller {
  constructor(private readonly workflows: WorkflowsV1Service) {}

  @Get()
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['workflows'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'List workflows (plain array, newest first)' })
  @ApiOkResponse({ type: [V1WorkflowResponseDto] })
  list(@Query() query: V1ListWorkflowsQuery): Promise<V1WorkflowResponseDto[]> {
    return this.workflows.list(query);
  }

  @Get('stats/summary')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['workflows'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'Counts by status, templates, mean progress and success rate' })
  @ApiOkResponse({ type: V1WorkflowStatsDto })
  summary(): Promise<V1WorkflowStatsDto> {
    return this.workflows.statsSummary();
  }

  @Post('templates')
  @Auth('operator')
  @ApiOperation({ summary: 'Create a template (an inactive workflow flagged is_template)' })
  @ApiCreatedResponse({ type: V1WorkflowResponseDto })
  createTemplate(@Body() dto: V1TemplateDto): Promise<V1WorkflowResponseDto> {
    return this.workflows.createTemplate(dto);
  }

  @Get(':id')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['workflows'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'Get a workflow' })
  @ApiOkResponse({ type: V1WorkflowResponseDto })
  @ApiNotFoundResponse({ description: 'Workflow not found' })
  get(@UuidParam() id: string): Promise<V1WorkflowResponseDto> {
    return this.workflows.get(id);
  }

  @Post()
  @Auth('operator')
  @ApiOperation({ summary: 'Create a workflow (assigned agents must exist; steps are checked)' })
  @ApiCreatedResponse({ type: V1WorkflowResponseDto })
  create(@Body() dto: V1CreateWorkflowDto): Promise<V1WorkflowResponseDto> {
    return this.workflows.create(dto);
  }

  @Put(':id')
  @Auth('operator')
  @ApiOperation({ summary: 'Update the fields sent; derived figures sent are kept as reported' })
  @ApiOkResponse({ type: V1WorkflowResponseDto })
  @ApiNotFoundResponse({ description: 'Workflow not found' })
  update(
    @UuidParam() id: string,
    @Body() dto: V1UpdateWorkflowDto,
  ): Promise<V1WorkflowResponseDto> {
    return this.workflows.update(id, dto);
  }

  @Patch(':id/status')
  @Auth('operator')
  @ApiOperation({
    summary: 'Set the status; paused/active/cancelled also pause, resume or cancel its runs',
  })
  @ApiOkResponse({ type: V1WorkflowResponseDto })
  @ApiNotFoundResponse({ description: 'Workflow not found' })
  setStatus(
    @UuidParam() id: string,
    @Body() dto: V1WorkflowStatusDto,
  ): Promise<V1WorkflowResponseDto> {
    return this.workflows.setStatus(id, dto);
  }

  @Patch(':id/progress')
  @Auth('operator')
  @ApiOperation({
    summary: 'Store reported progress figures (the derived ones are never overwritten)',
  })
  @ApiOkResponse({ type: V1WorkflowResponseDto })
  @ApiNotFoundResponse({ description: 'Workflow not found' })
  progress(
    @UuidParam() id: string,
    @Body() dto: V1WorkflowProgressDto,
  ): Promise<V1WorkflowResponseDto> {
    return this.workflows.reportProgress(id, dto);
  }

  @Post(':id/agents')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign an agent (which must exist)' })
  @ApiOkResponse({ type: V1WorkflowResponseDto })
  @ApiNotFoundResponse({ description: 'Workflow not found' })
  addAgent(@UuidParam() id: string, @Body() dto: V1AddAgentDto): Promise<V1WorkflowResponseDto> {
    return this.workflows.addAgent(id, dto);
  }

  @Delete(':id/agents/:agent_id')
  @Auth('operator')
  @ApiOperation({ summary: 'Unassign an agent' })
  @ApiOkResponse({ type: V1WorkflowResponseDto })
  @ApiNotFoundResponse({ description: 'Workflow not found' })
  removeAgent(
    @UuidParam() id: string,
    @UuidParam('agent_id') agentId: string,
  ): Promise<V1WorkflowResponseDto> {
    return this.workflows.removeAgent(id, agentId);
  }

  @Get(':id/tasks')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['workflows', 'tasks'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'The tasks of the workflow’s runs (v1 task shape)' })
  @ApiOkResponse({ type: [V1TaskResponseDto] })
  @ApiNotFoundResponse({ description: 'Workflow not found' })
  tasks(@UuidParam() id: string): Promise<V1TaskResponseDto[]> {
    return this.workflows.tasks(id);
  }

  @Post(':id/execute')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a real run (or schedule it with scheduled_at)' })
  @ApiOkResponse({ type: V1ExecutionDto })
  @ApiNotFoundResponse({ description: 'Workflow not found' })
  @ApiConflictResponse({ description: 'A step names an agent that no longer exists' })
  execute(
    @UuidParam() id: string,
    @Body() dto: V1ExecuteDto,
    @CurrentPrincipal() actor: Principal,
  ): Promise<V1ExecutionDto> {
    return this.workflows.execute(id, dto, actor);
  }

  @Delete(':id')
  @Auth('operator')
  @ApiOperation({ summary: 'Delete a workflow and its finished runs' })
  @ApiOkResponse({ type: WorkflowV1MessageDto })
  @ApiNotFoundResponse({ description: 'Workflow not found' })
  @ApiConflictResponse({ description: 'It has an unfinished run' })
  remove(@UuidParam() id: string): Promise<WorkflowV1MessageDto> {
    return this.workflows.remove(id);
  }
}
