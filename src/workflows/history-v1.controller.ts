import { Controller, Delete, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../auth/auth.decorator.js';
import { Read, Write } from '../auth/endpoint.decorator.js';
import { Cached, type CachedOptions } from '../common/cache/cached.decorator.js';
import { UuidParam } from '../common/decorators/uuid-param.decorator.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import {
  AgentPerformanceListDto,
  AgentPerformanceQuery,
  AnalyticsSummaryDto,
  HistoryCleanupQuery,
  HistoryCleanupDto,
  HistoryRunDetailDto,
  HistoryRunsDto,
  HistoryRunsQuery,
  HistoryWindowQuery,
} from './dto/history.dto.js';
import { WorkflowHistoryService } from './workflow-history.service.js';

const CACHE: CachedOptions = { families: ['workflows'], ttlSeconds: 10 };

/** v1 history (the original's intended `/api/v1/history` prefix): runs as workflow history. */
@ApiTags('history')
@ApiBadRequestResponse({ description: 'Invalid input' })
@Controller({ path: 'history', version: '1' })
export class HistoryV1Controller {
  constructor(private readonly history: WorkflowHistoryService) {}

  @Get('workflows')
  @Read({
    summary: 'Runs, newest first, in the WorkflowHistory shape, with pagination',
    type: HistoryRunsDto,
    cached: CACHE,
  })
  list(@Query() query: HistoryRunsQuery): Promise<HistoryRunsDto> {
    return this.history.list(query);
  }

  @Get('workflows/:run_id')
  @Auth('viewer', { agent: 'read' })
  @Cached({ families: ['workflows'], ttlSeconds: 10 })
  @ApiParam({ name: 'run_id', format: 'uuid' })
  @ApiOperation({ summary: 'One run with its steps (phases) and dependency handoffs' })
  @ApiOkResponse({ type: HistoryRunDetailDto })
  @ApiNotFoundResponse({ description: 'Workflow history not found' })
  detail(@UuidParam('run_id') runId: string): Promise<HistoryRunDetailDto> {
    return this.history.detail(runId);
  }

  @Get('agents/performance')
  @Read({
    summary: 'Per agent and period: runs, steps, active time, quality, timeouts',
    type: AgentPerformanceListDto,
    cached: { families: ['workflows', 'tasks'], ttlSeconds: 10 },
  })
  agentPerformance(@Query() query: AgentPerformanceQuery): Promise<AgentPerformanceListDto> {
    return this.history.agentPerformance(query);
  }

  @Get('analytics/summary')
  @Read({
    summary: 'Runs and steps over a period: outcomes, durations, completion',
    type: AnalyticsSummaryDto,
    cached: CACHE,
  })
  summary(@Query() query: HistoryWindowQuery): Promise<AnalyticsSummaryDto> {
    return this.history.summary(query);
  }

  @Delete('cleanup')
  @Write({
    summary: 'Delete finished runs started more than retention_days ago; true counts',
    type: HistoryCleanupDto,
    role: 'admin',
  })
  @RateLimit('cleanup')
  cleanup(@Query() query: HistoryCleanupQuery): Promise<HistoryCleanupDto> {
    return this.history.cleanup(query.retention_days);
  }
}
