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
import { Auth, CurrentPrincipal } from '../auth/auth.decorator.js';
import type { Principal } from '../auth/principal.js';
import { Cached } from '../common/cache/cached.decorator.js';
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
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['agents'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'List agents with filters, search and sorting' })
  @ApiOkResponse({ type: AgentPageDto })
  list(
    @Query() query: ListAgentsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<AgentResponseDto>> {
    return this.agents.list(query, principal);
  }

  @Get(':id')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['agents'], ttlSeconds: 10 })
  @ApiOperation({ summary: 'Get an agent' })
  @ApiOkResponse({ type: AgentResponseDto })
  @ApiNotFoundResponse({ description: 'No such agent' })
  get(
    @UuidParam() id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AgentResponseDto> {
    return this.agents.get(id, principal);
  }

  @Post()
  @Auth('operator')
  @ApiOperation({ summary: 'Create an agent (status idle unless given)' })
  @ApiCreatedResponse({ type: AgentResponseDto })
  @ApiConflictResponse({ description: 'An agent with this name and type exists' })
  create(@Body() dto: CreateAgentDto): Promise<AgentResponseDto> {
    return this.agents.create(dto);
  }

  @Post('bulk-operation')
  @Auth('operator')
  @HttpCode(200)
  @RateLimit('bulk')
  @ApiOperation({
    summary: 'start | stop | restart | update | delete up to 100 agents, with per-item results',
  })
  @ApiOkResponse({ type: BulkAgentResultDto })
  bulk(@Body() dto: BulkAgentOperationDto): Promise<BulkAgentResultDto> {
    return this.commands.bulk(dto);
  }

  @Put(':id')
  @Auth('operator')
  @ApiOperation({ summary: 'Update the writable fields sent' })
  @ApiOkResponse({ type: AgentResponseDto })
  @ApiNotFoundResponse({ description: 'No such agent' })
  @ApiConflictResponse({ description: 'Another agent has this name and type' })
  update(@UuidParam() id: string, @Body() dto: UpdateAgentDto): Promise<AgentResponseDto> {
    return this.agents.update(id, dto);
  }

  @Delete(':id')
  @Auth('operator')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an agent (its agent keys are revoked)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such agent' })
  @ApiConflictResponse({ description: 'The agent has tasks in progress' })
  remove(@UuidParam() id: string): Promise<void> {
    return this.agents.remove(id);
  }

  @Post(':id/start')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start: status active (busy at capacity); sends agent_command start' })
  @ApiOkResponse({ type: AgentCommandResultDto })
  @ApiNotFoundResponse({ description: 'No such agent' })
  start(@UuidParam() id: string, @Body() dto: AgentCommandDto): Promise<AgentCommandResultDto> {
    return this.commands.command(id, 'start', dto.parameters);
  }

  @Post(':id/stop')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Stop: status inactive, kept until start whatever heartbeats say; sends agent_command',
  })
  @ApiOkResponse({ type: AgentCommandResultDto })
  @ApiNotFoundResponse({ description: 'No such agent' })
  stop(@UuidParam() id: string, @Body() dto: AgentCommandDto): Promise<AgentCommandResultDto> {
    return this.commands.command(id, 'stop', dto.parameters);
  }

  @Post(':id/restart')
  @Auth('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Restart: status restarting until its next heartbeat; sends agent_command',
  })
  @ApiOkResponse({ type: AgentCommandResultDto })
  @ApiNotFoundResponse({ description: 'No such agent' })
  restart(@UuidParam() id: string, @Body() dto: AgentCommandDto): Promise<AgentCommandResultDto> {
    return this.commands.command(id, 'restart', dto.parameters);
  }
}
