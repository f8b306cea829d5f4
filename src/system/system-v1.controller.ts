import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../auth/auth.decorator.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { MaintenanceCleanupQuery, MaintenanceCleanupResultDto } from './dto/maintenance.dto.js';
import {
  MetricsHistoryQuery,
  ReportedMetricsDto,
  V1MetricsResponseDto,
} from '../telemetry/dto/snapshot.dto.js';
import { V1HealthResponseDto } from '../health/health-responses.dto.js';
import { V1StatusResponseDto } from '../telemetry/dto/v1-status.dto.js';
import {
  V1SystemAgentMetricsDto,
  V1SystemTaskMetricsDto,
  V1SystemWorkflowMetricsDto,
} from '../telemetry/dto/workload.dto.js';
import { SystemHealthService } from '../health/system-health.service.js';
import { MaintenanceService } from './maintenance.service.js';
import { SystemMetricsService } from '../telemetry/snapshots/system-metrics.service.js';
import { WorkloadService } from '../telemetry/workload/workload.service.js';

/** The original v1 system routes, answered from real measurements. */
@ApiTags('system')
@Controller({ path: 'system', version: '1' })
export class SystemV1Controller {
  constructor(
    private readonly health: SystemHealthService,
    private readonly metrics: SystemMetricsService,
    private readonly maintenance: MaintenanceService,
    private readonly workload: WorkloadService,
  ) {}

  @Get('health')
  @Auth('viewer')
  @ApiOperation({
    summary: 'Health in the v1 shape: a status word and a boolean per check (always 200)',
  })
  @ApiOkResponse({ type: V1HealthResponseDto })
  healthSummary(): Promise<V1HealthResponseDto> {
    return this.health.v1();
  }

  @Get('status')
  @Auth('viewer')
  @ApiOperation({ summary: 'Service status with the real uptime and connected clients' })
  @ApiOkResponse({ type: V1StatusResponseDto })
  status(): Promise<V1StatusResponseDto> {
    return this.metrics.status();
  }

  @Get('metrics/current')
  @Auth('viewer')
  @ApiOperation({
    summary: 'The latest snapshot, or one measured now when none is fresher than the interval',
  })
  @ApiOkResponse({ type: V1MetricsResponseDto })
  current(): Promise<V1MetricsResponseDto> {
    return this.metrics.current();
  }

  @Get('metrics/history')
  @Auth('viewer')
  @ApiOperation({ summary: 'Stored snapshots, newest first' })
  @ApiOkResponse({ type: [V1MetricsResponseDto] })
  history(@Query() query: MetricsHistoryQuery): Promise<V1MetricsResponseDto[]> {
    return this.metrics.history(query);
  }

  @Get('metrics/agents')
  @Auth('viewer')
  @ApiOperation({
    summary: 'Agents by status and type, with the means of their derived figures',
    description:
      'The original shape, also when there are no agents (zeros, not `{"metrics": {}}`).',
  })
  @ApiOkResponse({ type: V1SystemAgentMetricsDto })
  agentMetrics(): Promise<V1SystemAgentMetricsDto> {
    return this.workload.agentMetricsV1();
  }

  @Get('metrics/tasks')
  @Auth('viewer')
  @ApiOperation({
    summary: 'Tasks by status, priority and type, with completion, progress and duration',
    description:
      'The original shape, also when there are no tasks (zeros, not `{"metrics": {}}`). ' +
      '`avg_duration` is in ms (started to completed) over completed tasks.',
  })
  @ApiOkResponse({ type: V1SystemTaskMetricsDto })
  taskMetrics(): Promise<V1SystemTaskMetricsDto> {
    return this.workload.taskMetricsV1();
  }

  @Get('metrics/workflows')
  @Auth('viewer')
  @ApiOperation({
    summary:
      'Workflows by status and type, with completion, progress, success and duration of their runs',
    description:
      'The original shape, also when there are no workflows (zeros, not `{"metrics": {}}`). ' +
      '`avg_duration` is in ms (started to completed) over completed runs.',
  })
  @ApiOkResponse({ type: V1SystemWorkflowMetricsDto })
  workflowMetrics(): Promise<V1SystemWorkflowMetricsDto> {
    return this.workload.workflowMetricsV1();
  }

  @Post('metrics')
  @Auth('operator')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Report figures measured by a client',
    description:
      'Stores a snapshot measured now with the client figures under `reported_metrics`; ' +
      'they never replace measured values.',
  })
  @ApiCreatedResponse({ type: V1MetricsResponseDto })
  report(@Body() dto: ReportedMetricsDto): Promise<V1MetricsResponseDto> {
    return this.metrics.recordReported(dto);
  }

  @Post('maintenance/cleanup')
  @Auth('admin')
  @HttpCode(200)
  @RateLimit('cleanup')
  @ApiOperation({
    summary: 'Delete what is past its retention (the policies of the system.cleanup job)',
    description:
      'Finished job records, metric snapshots, API metrics and agent logs older than ' +
      '`days_to_keep`, events older than EVENT_RETENTION_DAYS. `deleted_records` is the number ' +
      'of rows actually deleted; `deleted` splits it by kind.',
  })
  @ApiOkResponse({ type: MaintenanceCleanupResultDto })
  cleanup(@Query() query: MaintenanceCleanupQuery): Promise<MaintenanceCleanupResultDto> {
    return this.maintenance.cleanup(query.days_to_keep);
  }
}
