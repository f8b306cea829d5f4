import { Body, Controller, Delete, Get, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.decorator.js';
import { Read, Write } from '../auth/endpoint.decorator.js';
import type { Principal } from '../auth/principal.js';
import type { CachedOptions } from '../common/cache/cached.decorator.js';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import type { Page } from '../common/pagination/page.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { AgentCommandsService } from './agent-commands.service.js';
import { AgentsService } from './agents.service.js';
import {
  AgentPageDto,
  AgentResponseDto,
  CreateAgentDto,
  ListAgentsQuery,
  UpdateAgentDto,
} from './dto/agent.dto.js';
import {
  AgentCommandDto,
  AgentCommandResultDto,
  BulkAgentOperationDto,
  BulkAgentResultDto,
} from './dto/agent-operations.dto.js';

const CACHE: CachedOptions = { families: ['agents'], ttlSeconds: 10 };

/** v2 agents: the registry and its commands. */
@ApiTags('agents')
@ApiBadRequestResponse({ description: 'Invalid input (unknown fields, wrong types, bad ids)' })
@Controller({ path: 'agents', version: '2' })
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly commands: AgentCommandsService,
  ) {}

  @Get()
  @Read({
    summary: 'List agents with filters, search and sorting',
    type: AgentPageDto,
    cached: CACHE,
  })
  list(
    @Query() query: ListAgentsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<AgentResponseDto>> {
    return this.agents.list(query, principal);
  }

  @Get(':id')
  @Read({
    summary: 'Get an agent',
    type: AgentResponseDto,
    cached: CACHE,
    notFound: 'No such agent',
  })
  get(
    @UuidParam() id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AgentResponseDto> {
    return this.agents.get(id, principal);
  }

  @Post()
  @Write({
    summary: 'Create an agent (status idle unless given)',
    status: 201,
    type: AgentResponseDto,
    conflict: 'An agent with this name and type exists',
  })
  create(@Body() dto: CreateAgentDto): Promise<AgentResponseDto> {
    return this.agents.create(dto);
  }

  @Post('bulk-operation')
  @Write({
    summary: 'start | stop | restart | update | delete up to 100 agents, with per-item results',
    type: BulkAgentResultDto,
  })
  @RateLimit('bulk')
  bulk(@Body() dto: BulkAgentOperationDto): Promise<BulkAgentResultDto> {
    return this.commands.bulk(dto);
  }

  @Put(':id')
  @Write({
    summary: 'Update the writable fields sent',
    type: AgentResponseDto,
    notFound: 'No such agent',
    conflict: 'Another agent has this name and type',
  })
  update(@UuidParam() id: string, @Body() dto: UpdateAgentDto): Promise<AgentResponseDto> {
    return this.agents.update(id, dto);
  }

  @Delete(':id')
  @Write({
    summary: 'Delete an agent (its agent keys are revoked)',
    status: 204,
    notFound: 'No such agent',
    conflict: 'The agent has tasks in progress',
  })
  remove(@UuidParam() id: string): Promise<void> {
    return this.agents.remove(id);
  }

  @Post(':id/start')
  @Write({
    summary: 'Start: status active (busy at capacity); sends agent_command start',
    type: AgentCommandResultDto,
    notFound: 'No such agent',
  })
  start(@UuidParam() id: string, @Body() dto: AgentCommandDto): Promise<AgentCommandResultDto> {
    return this.commands.command(id, 'start', dto.parameters);
  }

  @Post(':id/stop')
  @Write({
    summary: 'Stop: status inactive, kept until start whatever heartbeats say; sends agent_command',
    type: AgentCommandResultDto,
    notFound: 'No such agent',
  })
  stop(@UuidParam() id: string, @Body() dto: AgentCommandDto): Promise<AgentCommandResultDto> {
    return this.commands.command(id, 'stop', dto.parameters);
  }

  @Post(':id/restart')
  @Write({
    summary: 'Restart: status restarting until its next heartbeat; sends agent_command',
    type: AgentCommandResultDto,
    notFound: 'No such agent',
  })
  restart(@UuidParam() id: string, @Body() dto: AgentCommandDto): Promise<AgentCommandResultDto> {
    return this.commands.command(id, 'restart', dto.parameters);
  }
}
