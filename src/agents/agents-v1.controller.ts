import { Body, Controller, Delete, Get, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.decorator.js';
import { Read, Write } from '../auth/endpoint.decorator.js';
import type { Principal } from '../auth/principal.js';
import type { CachedOptions } from '../common/cache/cached.decorator.js';
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

const CACHE: CachedOptions = { families: ['agents'], ttlSeconds: 10 };

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
  @Read({
    summary: 'List agents (plain array, oldest first)',
    type: [V1AgentResponseDto],
    cached: CACHE,
  })
  list(
    @Query() query: V1ListAgentsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<V1AgentResponseDto[]> {
    return this.agents.list(query, principal);
  }

  @Get('stats/summary')
  @Read({
    summary: 'Counts by status and mean derived figures',
    type: V1AgentStatsDto,
    cached: CACHE,
  })
  stats(): Promise<V1AgentStatsDto> {
    return this.agents.statsSummary();
  }

  @Get(':id')
  @Read({
    summary: 'Get an agent',
    type: V1AgentResponseDto,
    cached: CACHE,
    notFound: 'No such agent',
  })
  get(
    @UuidParam() id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<V1AgentResponseDto> {
    return this.agents.get(id, principal);
  }

  @Post()
  @Write({
    summary: 'Create an agent',
    status: 201,
    type: V1AgentResponseDto,
    conflict: 'An agent with this name and type exists',
  })
  create(@Body() dto: CreateAgentDto): Promise<V1AgentResponseDto> {
    return this.agents.create(dto);
  }

  @Put(':id')
  @Write({
    summary: 'Update the fields sent (status and current task included)',
    type: V1AgentResponseDto,
    notFound: 'No such agent',
    conflict: 'Another agent has this name and type',
  })
  update(@UuidParam() id: string, @Body() dto: V1UpdateAgentDto): Promise<V1AgentResponseDto> {
    return this.agents.update(id, dto);
  }

  @Patch(':id/status')
  @Write({
    summary: 'Set the status (capacity still decides busy) and current task',
    type: V1AgentResponseDto,
    notFound: 'No such agent',
  })
  setStatus(@UuidParam() id: string, @Body() dto: V1AgentStatusDto): Promise<V1AgentResponseDto> {
    return this.agents.setStatus(id, dto);
  }

  @Patch(':id/metrics')
  @Write({
    summary: 'Report figures: stored as performance_metrics.reported_*, never over derived ones',
    type: V1AgentResponseDto,
    notFound: 'No such agent',
  })
  reportMetrics(
    @UuidParam() id: string,
    @Body() dto: V1AgentMetricsDto,
  ): Promise<V1AgentResponseDto> {
    return this.agents.reportFigures(id, dto);
  }

  @Post(':id/heartbeat')
  @Write({
    summary: 'Heartbeat: status, current task and known figures only',
    type: V1HeartbeatResponseDto,
    agent: 'own-agent',
    notFound: 'No such agent',
  })
  heartbeat(@UuidParam() id: string, @Body() dto: V1HeartbeatDto): Promise<V1HeartbeatResponseDto> {
    return this.heartbeats.heartbeatV1(id, dto);
  }

  @Delete(':id')
  @Write({
    summary: 'Delete an agent (its agent keys are revoked)',
    type: AgentV1MessageDto,
    notFound: 'No such agent',
    conflict: 'The agent has tasks in progress',
  })
  remove(@UuidParam() id: string): Promise<AgentV1MessageDto> {
    return this.agents.remove(id);
  }
}
