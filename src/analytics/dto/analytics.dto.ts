import { ApiProperty } from '@nestjs/swagger';
import { AGENT_STATUSES } from '../../agents/agent-status.js';
import { TIME_RANGES, TimeRange } from '../../common/time-range.js';
import { EnumField } from '../../common/validation/fields.js';

export class AnalyticsDurationFiguresDto {
  @ApiProperty({ description: 'Completed items with a start and an end (the ones measured)' })
  count: number;
  @ApiProperty({ description: 'ms; 0 when none' }) avg: number;
  @ApiProperty({ description: 'ms, percentile_cont(0.5); 0 when none' }) p50: number;
  @ApiProperty({ description: 'ms, percentile_cont(0.95); 0 when none' }) p95: number;
  @ApiProperty({ description: 'ms; 0 when none' }) min: number;
  @ApiProperty({ description: 'ms; 0 when none' }) max: number;
}

export class ThroughputPointDto {
  @ApiProperty({ format: 'date-time', description: 'Bucket start' }) timestamp: string;
  @ApiProperty({ description: 'Created in the bucket' }) created: number;
  @ApiProperty({ description: 'Reached completed in the bucket' }) completed: number;
  @ApiProperty() failed: number;
  @ApiProperty() cancelled: number;
  @ApiProperty({ description: 'completed / (completed + failed), %; 0 when none finished' })
  success_rate: number;
}

/** Work that is created, started and finished: tasks and workflow runs. */
export class WorkItemAnalyticsDto {
  @ApiProperty({ description: 'Created in the range' }) created: number;
  @ApiProperty({ description: 'Finished as completed in the range' }) completed: number;
  @ApiProperty() failed: number;
  @ApiProperty() cancelled: number;
  @ApiProperty({ description: 'completed / (completed + failed), %' }) success_rate: number;
  @ApiProperty({ description: 'Completed per hour over the range' }) throughput_per_hour: number;
  @ApiProperty({
    type: AnalyticsDurationFiguresDto,
    description: 'Started to completed, over the items completed in the range',
  })
  duration_ms: AnalyticsDurationFiguresDto;
  @ApiProperty({ type: [ThroughputPointDto] }) timeline: ThroughputPointDto[];
}

export class TopAgentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() agent_type: string;
  @ApiProperty({ enum: AGENT_STATUSES, enumName: 'AgentStatus' }) status: string;
  @ApiProperty({ description: 'Tasks it completed in the range' }) tasks_completed: number;
  @ApiProperty() tasks_failed: number;
  @ApiProperty({ description: '%' }) success_rate: number;
  @ApiProperty({ description: 'Mean duration of the tasks it completed, ms; 0 when none' })
  avg_duration_ms: number;
  @ApiProperty({ description: 'Time its tasks were in progress within the range, ms' })
  busy_ms: number;
  @ApiProperty({
    description: 'busy_ms / (its time within the range × max_concurrent_tasks), % (capped at 100)',
  })
  utilisation_percent: number;
}

export class AgentAnalyticsDto {
  @ApiProperty({ description: 'Agents existing now' }) total: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Agents by status now',
  })
  by_status: Record<string, number>;
  @ApiProperty({ description: 'Agents that worked on or finished a task in the range' })
  active_in_range: number;
  @ApiProperty({ description: 'Task time of every agent within the range, ms' }) busy_ms: number;
  @ApiProperty({
    description: 'Sum over agents of their time within the range × max_concurrent_tasks, ms',
  })
  capacity_ms: number;
  @ApiProperty({ description: 'busy_ms / capacity_ms, %' }) utilisation_percent: number;
  @ApiProperty({
    type: [TopAgentDto],
    description: 'Up to 10 agents with work in the range: most completed tasks first',
  })
  top_agents: TopAgentDto[];
}

export class JobTypeAnalyticsDto {
  @ApiProperty({ example: 'system.backup' }) task_name: string;
  @ApiProperty({ description: 'Finished in the range' }) finished: number;
  @ApiProperty() completed: number;
  @ApiProperty() failed: number;
  @ApiProperty() cancelled: number;
  @ApiProperty({ description: 'completed / (completed + failed), %' }) success_rate: number;
  @ApiProperty({ description: 'Mean run time of the completed ones, ms; 0 when none' })
  avg_duration_ms: number;
}

export class JobAnalyticsDto {
  @ApiProperty({ description: 'Submitted in the range (internal jobs left out)' })
  submitted: number;
  @ApiProperty() finished: number;
  @ApiProperty() completed: number;
  @ApiProperty() failed: number;
  @ApiProperty() cancelled: number;
  @ApiProperty({ description: '%' }) success_rate: number;
  @ApiProperty({ description: 'ms; 0 when none completed' }) avg_duration_ms: number;
  @ApiProperty({ type: [JobTypeAnalyticsDto], description: 'Most finished first' })
  by_type: JobTypeAnalyticsDto[];
}

export class RouteUsageDto {
  @ApiProperty({ example: 'GET' }) method: string;
  @ApiProperty({ example: '/api/v2/tasks/:id' }) route: string;
  @ApiProperty() count: number;
  @ApiProperty() errors: number;
  @ApiProperty({ description: '%' }) error_rate: number;
  @ApiProperty({ description: 'ms' }) avg_latency_ms: number;
  @ApiProperty({ description: 'ms, from the merged latency histograms' }) p95_latency_ms: number;
}

export class ApiUsageDto {
  @ApiProperty() requests: number;
  @ApiProperty() errors: number;
  @ApiProperty({ description: '%' }) error_rate: number;
  @ApiProperty() requests_per_minute: number;
  @ApiProperty({ description: 'ms; 0 without traffic' }) avg_latency_ms: number;
  @ApiProperty({ description: 'ms; 0 without traffic' }) p95_latency_ms: number;
  @ApiProperty({ type: [RouteUsageDto], description: 'Up to 20 routes, busiest first' })
  routes: RouteUsageDto[];
}

export class HourActivityDto {
  @ApiProperty({ minimum: 0, maximum: 23, description: 'Hour of the day, UTC' }) hour: number;
  @ApiProperty() api_requests: number;
  @ApiProperty() tasks_created: number;
  @ApiProperty() tasks_completed: number;
}

export class PeakHourDto {
  @ApiProperty({ example: '14:00', description: 'Start of the hour, UTC' }) hour: string;
  @ApiProperty() count: number;
}

export class PeakHoursDto {
  @ApiProperty({ type: [PeakHourDto] }) api_requests: PeakHourDto[];
  @ApiProperty({ type: [PeakHourDto] }) tasks_created: PeakHourDto[];
  @ApiProperty({ type: [PeakHourDto] }) tasks_completed: PeakHourDto[];
}

export class UsagePatternsDto {
  @ApiProperty({ type: [HourActivityDto], description: 'The 24 hours of the day (UTC)' })
  by_hour_of_day: HourActivityDto[];
  @ApiProperty({
    type: PeakHoursDto,
    description: 'Per measure, up to 3 busiest hours with any activity (ties: earlier first)',
  })
  peak_hours: PeakHoursDto;
}

/** `GET /system/analytics` and the result of `system.analyze_metrics`. */
export class AnalyticsReportDto {
  @ApiProperty({ enum: TIME_RANGES, enumName: 'TimeRange' }) time_range: TimeRange;
  @ApiProperty({ format: 'date-time', description: 'Start of the first bucket' }) since: string;
  @ApiProperty({ format: 'date-time' }) until: string;
  @ApiProperty() bucket_seconds: number;
  @ApiProperty({ type: WorkItemAnalyticsDto }) tasks: WorkItemAnalyticsDto;
  @ApiProperty({ type: WorkItemAnalyticsDto, description: 'Workflow runs, by the same measures' })
  workflow_runs: WorkItemAnalyticsDto;
  @ApiProperty({ type: AgentAnalyticsDto }) agents: AgentAnalyticsDto;
  @ApiProperty({ type: JobAnalyticsDto, description: 'Background jobs (internal ones left out)' })
  jobs: JobAnalyticsDto;
  @ApiProperty({ type: ApiUsageDto }) api: ApiUsageDto;
  @ApiProperty({ type: UsagePatternsDto }) usage: UsagePatternsDto;
}

/** `system.analyze_metrics` parameters. */
export class AnalyzeMetricsParams {
  @EnumField(TIME_RANGES, 'TimeRange', { nullable: true, doc: { default: '24h' } })
  time_range?: TimeRange;
}
