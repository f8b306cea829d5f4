import { ApiProperty } from '@nestjs/swagger';
import { iso } from '../../common/time.js';
import type { SystemMetricsEntity } from '../entities/system-metrics.entity.js';
import {
  agentOverview,
  successRates,
  taskOverview,
  workflowOverview,
} from '../workload/workload.js';
import { SystemMeasurementDto } from './system-metrics.dto.js';
import { QueryInt } from '../../common/validation/decorators.js';
import {
  DateTimeField,
  IntField,
  NumberField,
  ObjectField,
} from '../../common/validation/fields.js';

/** v1 `GET /system/metrics/history`. */
export class MetricsHistoryQuery {
  @QueryInt({ minimum: 1, maximum: 1000, default: 100 })
  limit: number = 100;

  @DateTimeField({ optional: true, doc: { description: 'Snapshots recorded at or after' } })
  start_date?: string;

  @DateTimeField({ optional: true, doc: { description: 'Snapshots recorded at or before' } })
  end_date?: string;
}

const Percent = () => NumberField({ min: 0, max: 100 }, { nullable: true });

/** v1 `POST /system/metrics`: figures a client measured itself; stored as reported, never as measured. */
export class ReportedMetricsDto {
  @Percent() system_load_percentage?: number;
  @Percent() memory_usage_percentage?: number;
  @Percent() cpu_usage_percentage?: number;
  @Percent() disk_usage_percentage?: number;

  @IntField({ min: 0 }, { nullable: true })
  websocket_connections?: number;

  @NumberField({ min: 0 }, { nullable: true })
  api_requests_per_minute?: number;

  @Percent() error_rate_percentage?: number;

  @ObjectField({ nullable: true })
  detailed_metrics?: Record<string, unknown>;
}

export class HealthSummaryDto {
  @ApiProperty({ enum: ['ok', 'error', 'degraded', 'shutting_down'], enumName: 'HealthStatus' })
  status: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', enum: ['up', 'down', 'degraded'] },
    example: { database: 'up', redis: 'up', queues: 'up', disk: 'up', socketio: 'up' },
  })
  checks: Record<string, string>;
}

/** A stored snapshot, as v2 sends it (`metrics_update`). */
export class SnapshotResponseDto extends SystemMeasurementDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) recorded_at: string;
  @ApiProperty({ enum: ['collector', 'on_demand', 'reported'], enumName: 'SnapshotSource' })
  source: string;
  @ApiProperty({ type: HealthSummaryDto }) health: HealthSummaryDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'Figures a client reported (v1 POST /system/metrics), kept apart from the measured ones',
  })
  reported: Record<string, unknown> | null;
}

/** What a snapshot row holds in its JSONB column. */
export type StoredSnapshot = SystemMeasurementDto & { health: HealthSummaryDto };

export function toSnapshotResponse(row: SystemMetricsEntity): SnapshotResponseDto {
  const stored = row.snapshot as unknown as StoredSnapshot;
  return {
    id: row.id,
    recorded_at: iso(row.recordedAt)!,
    source: row.source,
    ...stored,
    reported: row.reported,
  };
}

export class V1PerformanceMetricsDto {
  @ApiProperty({ type: Number, nullable: true }) system_load_percentage: number | null;
  @ApiProperty({ type: Number, nullable: true }) memory_usage_percentage: number | null;
  @ApiProperty({ type: Number, nullable: true }) cpu_usage_percentage: number | null;
  @ApiProperty({ type: Number, nullable: true }) disk_usage_percentage: number | null;
}

export class V1ResponseTimeMetricsDto {
  @ApiProperty({ type: Number, nullable: true }) avg_response_time_ms: number | null;
  @ApiProperty({ type: Number, nullable: true }) min_response_time_ms: number | null;
  @ApiProperty({ type: Number, nullable: true }) max_response_time_ms: number | null;
  @ApiProperty({ type: Number, nullable: true }) p95_response_time_ms: number | null;
}

export class V1NetworkMetricsDto {
  @ApiProperty({ type: Number, nullable: true }) websocket_connections: number | null;
  @ApiProperty({ type: Number, nullable: true }) api_requests_per_minute: number | null;
  @ApiProperty({ type: Number, nullable: true }) error_rate_percentage: number | null;
}

export class V1SystemHealthDto {
  @ApiProperty({ type: Number, nullable: true, description: 'Not measured yet: null' })
  uptime_percentage: number | null;
  @ApiProperty({ format: 'date-time', description: 'Start of the measuring process' })
  last_restart: string;
  @ApiProperty({ type: Boolean, nullable: true }) is_healthy: boolean | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  health_checks: Record<string, string>;
}

/**
 * The original v1 SystemMetricsResponse. Groups about agents and tasks come from the
 * counts stored with the snapshot (null for snapshots taken without them); workflow
 * groups are null until workflows exist. No figure is filled in without a measurement.
 */
export class V1MetricsResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'integer' },
    description: 'Agents by status when the snapshot was taken',
    example: { total_agents: 3, active_agents: 1, idle_agents: 2, offline_agents: 0 },
  })
  system_overview: Record<string, number> | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'integer' },
    description: 'Tasks by status when the snapshot was taken',
  })
  task_overview: Record<string, number> | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'integer' },
    description:
      'total, active (active, running or scheduled), completed and paused workflows; null in snapshots stored before workflows were measured',
  })
  workflow_overview: Record<string, number> | null;
  @ApiProperty({ type: V1PerformanceMetricsDto }) performance_metrics: V1PerformanceMetricsDto;
  @ApiProperty({ type: V1ResponseTimeMetricsDto })
  response_time_metrics: V1ResponseTimeMetricsDto;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'number', nullable: true },
    description:
      'task_success_rate: completed / (completed + failed) %; agent_success_rate: the same over ' +
      'tasks that ran on an agent; workflow_success_rate: the same over workflow runs; each null ' +
      'until one has finished. overall_success_rate: 0.6 task + 0.3 workflow + 0.1 agent, ' +
      'weighted over the rates that are known',
    example: {
      overall_success_rate: 88.13,
      task_success_rate: 90,
      workflow_success_rate: 83.33,
      agent_success_rate: 88.5,
    },
  })
  success_rates: Record<string, number | null> | null;
  @ApiProperty({ type: V1NetworkMetricsDto }) network_metrics: V1NetworkMetricsDto;
  @ApiProperty({ type: V1SystemHealthDto }) system_health: V1SystemHealthDto;
  @ApiProperty({ type: SystemMeasurementDto, description: 'Everything measured' })
  detailed_metrics: SystemMeasurementDto;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'What a client sent with POST /system/metrics, beside the measured figures',
  })
  reported_metrics: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) recorded_at: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export function toV1MetricsResponse(row: SystemMetricsEntity): V1MetricsResponseDto {
  const { health, ...measured } = row.snapshot as unknown as StoredSnapshot;
  const api = measured.api;
  const recordedAt = iso(row.recordedAt)!;
  const startedAt = new Date(
    Date.parse(measured.timestamp) - measured.process.uptime_seconds * 1000,
  ).toISOString();
  return {
    id: row.id,
    system_overview: measured.workload ? agentOverview(measured.workload) : null,
    task_overview: measured.workload ? taskOverview(measured.workload) : null,
    workflow_overview: measured.workload ? workflowOverview(measured.workload) : null,
    performance_metrics: {
      system_load_percentage: row.loadPercent,
      memory_usage_percentage: row.memoryPercent,
      cpu_usage_percentage: row.cpuPercent,
      disk_usage_percentage: row.diskPercent,
    },
    response_time_metrics: {
      avg_response_time_ms: api?.latency_ms.avg ?? null,
      min_response_time_ms: api?.latency_ms.min ?? null,
      max_response_time_ms: api?.latency_ms.max ?? null,
      p95_response_time_ms: row.latencyP95Ms,
    },
    success_rates: measured.workload ? successRates(measured.workload) : null,
    network_metrics: {
      websocket_connections: row.connections,
      api_requests_per_minute: row.requestsPerMinute,
      error_rate_percentage: row.errorRate,
    },
    system_health: {
      uptime_percentage: null,
      last_restart: startedAt,
      is_healthy: row.isHealthy,
      health_checks: health.checks,
    },
    detailed_metrics: measured,
    reported_metrics: row.reported,
    recorded_at: recordedAt,
    created_at: recordedAt,
    updated_at: recordedAt,
  };
}
