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
import { AgentHeartbeatsService } from './agent-heartbeats.service.js';
import { AgentsV1Service } from './agents-v1.service.js';
import { CreateAgentDto, V1ListAgentsQuery } from './dto/agent.dto.js';
import {
  V1AgentMetricsDto,
  V1AgentResponseDto,
  V1AgentStatsDto,
  V1AgentStatusDto,
  V1HeartbeatDto,
  V1HeartbeatResponseDto,
  AgentV1MessageDto,
  V1UpdateAgentDto,
} from './dto/agent-v1.dto.js';

/** The original v1 agents API, in its original shapes, over the one agent store. */
@ApiTags('agents')
@ApiBadRequestResponse({ description: 'Invalid input (unknown fields, wrong types, bad ids)' })
@Controller({ path: 'agents', version: '1' })
export class AgentsV1Controller {
  constructor(
    private readonly agents: AgentsV1Service,
    private readonly heartbeats: AgentHeartbeatsService,
  ) {}

  @Get()
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['agents'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'List agents (plain array, oldest first)' })
  @ApiOkResponse({ type: [V1AgentResponseDto] })
  list(
    @Query() query: V1ListAgentsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<V1AgentResponseDto[]> {
    return this.agents.list(query, principal);
  }

  @Get('stats/summary')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['agents'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'Counts by status and mean derived figures' })
  @ApiOkResponse({ type: V1AgentStatsDto })
  stats(): Promise<V1AgentStatsDto> {
    return this.agents.statsSummary();
  }

  @Get(':id')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['agents'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'Get an agent' })
  @ApiOkResponse({ type: V1AgentResponseDto })
  @ApiNotFoundResponse({ description: 'No such agent' })
  get(
    @UuidParam() id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<V1AgentResponseDto> {
    return this.agents.get(id, principal);
  }

  @Post()
  @Auth('operator')
  @ApiOperation({ summary: 'Create an agent' })
  @ApiCreatedResponse({ type: V1AgentResponseDto })
  @ApiConflictResponse({ description: 'An agent with this name and type exists' })
  create(@Body() dto: CreateAgentDto): Promise<V1AgentResponseDto> {
    return this.agents.create(dto);
  }

  @Put(':id')
  @Auth('operator')
  @ApiOperation({ summary: 'Update the fields sent (status and current task included)' })
  @ApiOkResponse({ type: V1AgentResponseDto })
  @ApiNotFoundResponse({ description: 'No such agent' })
  @ApiConflictResponse({ description: 'Another agent has this name and type' })
  update(@UuidParam() id: string, @Body() dto: V1UpdateAgentDto): Promise<V1AgentResponseDto> {
    return this.agents.update(id, dto);
  }

  @Patch(':id/status')
  @Auth('operator')
  @ApiOperation({ summary: 'Set the status (capacity still decides busy) and current task' })
  @ApiOkResponse({ type: V1AgentResponseDto })
  @ApiNotFoundResponse({ description: 'No such agent' })
  setStatus(@UuidParam() id: string, @Body() dto: V1AgentStatusDto): Promise<V1AgentResponseDto> {
    return this.agents.setStatus(id, dto);
  }

  @Patch(':id/metrics')
  @Auth('operator')
  @ApiOperation({
    summary: 'Report figures: stored as performance_metrics.reported_*, never over derived ones',
  })
  @ApiOkResponse({ type: V1AgentResponseDto })
  @ApiNotFoundResponse({ description: 'No such agent' })
  reportMetrics(
    @UuidParam() id: string,
    @Body() dto: V1AgentMetricsDto,
  ): Promise<V1AgentResponseDto> {
    return this.agents.reportFigures(id, dto);
  }

  @Post(':id/heartbeat')
  @Auth('operator', { agent: 'own-agent' })
  @HttpCode(200)
  @ApiOperation({ summary: 'Heartbeat: status, current task and known figures only' })
  @ApiOkResponse({ type: V1HeartbeatResponseDto })
  @ApiNotFoundResponse({ description: 'No such agent' })
  heartbeat(@UuidParam() id: string, @Body() dto: V1HeartbeatDto): Promise<V1HeartbeatResponseDto> {
    return this.heartbeats.heartbeatV1(id, dto);
  }

  @Delete(':id')
  @Auth('operator')
  @ApiOperation({ summary: 'Delete an agent (its agent keys are revoked)' })
  @ApiOkResponse({ type: AgentV1MessageDto })
  @ApiNotFoundResponse({ description: 'No such agent' })
  @ApiConflictResponse({ description: 'The agent has tasks in progress' })
  remove(@UuidParam() id: string): Promise<AgentV1MessageDto> {
    return this.agents.remove(id);
  }
}
