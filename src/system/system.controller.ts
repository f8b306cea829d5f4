import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../auth/auth.decorator.js';
import { AnalyticsService } from '../analytics/analytics.service.js';
import { ApiMetricsService } from '../telemetry/api-metrics/api-metrics.service.js';
import { AnalyticsReportDto } from '../analytics/dto/analytics.dto.js';
import { ApiMetricsReportDto, TimeRangeQuery } from '../telemetry/dto/api-metrics.dto.js';
import { SystemMeasurementDto } from '../telemetry/dto/system-metrics.dto.js';
import { SystemHealthService } from '../health/system-health.service.js';
import { LiveMetricsService } from '../telemetry/measure/live-metrics.service.js';

@ApiTags('system')
@Controller({ path: 'system', version: '2' })
export class SystemController {
  constructor(
    private readonly live: LiveMetricsService,
    private readonly health: SystemHealthService,
    private readonly apiMetrics: ApiMetricsService,
    private readonly analytics: AnalyticsService,
  ) {}

  @Get('metrics')
  @Auth('viewer')
  @ApiOperation({
    summary: 'System metrics measured now',
    description:
      'Process and host CPU, memory, load, disk of UPLOAD_DIR, event-loop lag and utilisation, ' +
      'database pool, Redis, queue depths, Socket.IO connections and API traffic of the last minutes. ' +
      'A section whose source does not answer within 1.5 s is null and named in `unavailable`.',
  })
  @ApiOkResponse({ type: SystemMeasurementDto })
  metrics(): Promise<SystemMeasurementDto> {
    return this.live.measure();
  }

  @Get('health')
  @Auth('viewer')
  @ApiOperation({
    summary: 'Deep health: database, Redis, queues and workers, disk, Socket.IO',
    description:
      'Checks run in parallel, each bounded to 1.5 s. 503 names the failing checks in `details` ' +
      'and carries every result in `checks`. In ROLE=api a queue without a live worker fails.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        status: 'ok',
        info: { database: { status: 'up' } },
        error: {},
        details: { database: { status: 'up' } },
      },
    },
  })
  @ApiServiceUnavailableResponse({ description: 'At least one check failed; they are named' })
  healthCheck() {
    return this.health.check();
  }

  @Get('api-metrics')
  @Auth('viewer')
  @ApiOperation({
    summary: 'API traffic per route: count, error rate, latency percentiles',
    description:
      'From the per-minute aggregates every instance writes; percentiles come from merged ' +
      'log-scale histograms. Requests refused by authentication or rate limiting are not counted.',
  })
  @ApiOkResponse({ type: ApiMetricsReportDto })
  apiMetricsReport(@Query() query: TimeRangeQuery): Promise<ApiMetricsReportDto> {
    return this.apiMetrics.report(query.time_range);
  }

  @Get('analytics')
  @Auth('viewer')
  @ApiOperation({
    summary: 'Analytics over a time range, computed from stored data',
    description:
      'Tasks created, completed, failed and cancelled per bucket with their success rate; ' +
      'durations of completed tasks (avg, p50, p95 by percentile_cont); agent utilisation ' +
      '(task time within the range against time × max_concurrent_tasks) and the top agents; ' +
      'background jobs by type (internal ones left out); API usage per route; activity per hour ' +
      'of the day (UTC) and its peak hours. An empty database gives zeros and empty lists. ' +
      'The job type system.analyze_metrics stores the same as its result.',
  })
  @ApiOkResponse({ type: AnalyticsReportDto })
  analyticsReport(@Query() query: TimeRangeQuery): Promise<AnalyticsReportDto> {
    return this.analytics.report(query.time_range);
  }
}
