import { Controller, Get, Query, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DashboardRead } from '../auth/auth.decorator.js';
import { ApiOk } from '../common/http/api-responses.js';
import {
  DashboardAgentsDto,
  DashboardHistoryDto,
  DashboardMetricsDto,
  DashboardOverviewDto,
  DashboardTasksDto,
} from './dashboard-responses.dto.js';
import { Cached } from '../common/cache/cached.decorator.js';
import { HistoryRangeQuery, RangeQuery } from './dashboard.dto.js';
import { DashboardService } from './dashboard.service.js';

/**
 * The routes the existing SubForge dashboard reads, version-neutral under /api
 * (declared with their full path: see VERSION_NEUTRAL_API_ROUTES in app.factory.ts).
 * With DASHBOARD_PUBLIC_READ=true they also answer clients without a credential.
 */
@ApiTags('dashboard')
@DashboardRead()
@Controller({ path: 'api', version: VERSION_NEUTRAL })
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('dashboard/overview')
  @Cached({ families: ['agents', 'tasks', 'system'], ttlSeconds: 5 })
  @ApiOperation({ summary: 'Agents and tasks by status, and the system figures (home page)' })
  @ApiOk(DashboardOverviewDto)
  overview(): Promise<DashboardOverviewDto> {
    return this.dashboard.overview();
  }

  @Get('agents')
  @Cached({ families: ['agents', 'tasks'], ttlSeconds: 5 })
  @ApiOperation({ summary: 'Agents with status, last activity and completed tasks' })
  @ApiOk(DashboardAgentsDto)
  agents(): Promise<DashboardAgentsDto> {
    return this.dashboard.agentList();
  }

  @Get('agents/detailed')
  @Cached({ families: ['agents', 'tasks'], ttlSeconds: 5 })
  @ApiOperation({ summary: 'Agents with model, capabilities and performance' })
  @ApiOk(DashboardAgentsDto)
  agentsDetailed(): Promise<DashboardAgentsDto> {
    return this.dashboard.agentsDetailed();
  }

  @Get('tasks/recent')
  @Cached({ families: ['tasks', 'agents'], ttlSeconds: 5 })
  @ApiOperation({ summary: 'The 20 most recently changed tasks' })
  @ApiOk(DashboardTasksDto)
  recentTasks(): Promise<DashboardTasksDto> {
    return this.dashboard.recentTasks();
  }

  @Get('tasks')
  @Cached({ families: ['tasks', 'agents'], ttlSeconds: 5 })
  @ApiOperation({
    summary: 'The task board (todo, in_progress, review, done): the 1,000 newest tasks',
  })
  @ApiOk(DashboardTasksDto)
  tasks(): Promise<DashboardTasksDto> {
    return this.dashboard.taskBoard();
  }

  @Get('metrics')
  @Cached({ families: ['tasks', 'agents', 'system'], ttlSeconds: 30 })
  @ApiOperation({
    summary:
      'Task completion and productivity per day, agent performance, system health in 24 buckets over the range',
  })
  @ApiOk(DashboardMetricsDto)
  metrics(@Query() query: RangeQuery): Promise<DashboardMetricsDto> {
    return this.dashboard.metrics(query.range);
  }

  @Get('history')
  @Cached({ families: ['tasks', 'workflows'], ttlSeconds: 10 })
  @ApiOperation({
    summary: 'What happened: tasks created, assigned, completed, failed; workflow runs',
  })
  @ApiOk(DashboardHistoryDto)
  history(@Query() query: HistoryRangeQuery): Promise<DashboardHistoryDto> {
    return this.dashboard.history(query.range);
  }
}
