import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../common/pagination/page.js';
import {
  AGENT_COMMANDS,
  HEARTBEAT_STATUSES,
  type AgentCommandName,
  type AgentStatus,
  type HeartbeatStatus,
  AGENT_STATUSES,
} from '../agent-status.js';
import { LOG_LEVELS, type LogLevel } from '../entities/agent-log.entity.js';
import { AgentResponseDto } from './agent.dto.js';
import {
  DateTimeField,
  EnumField,
  ObjectField,
  TextField,
  UuidField,
  UuidListField,
} from '../../common/validation/fields.js';

export class HeartbeatDto {
  @EnumField(HEARTBEAT_STATUSES, 'HeartbeatStatus')
  status: HeartbeatStatus;

  @UuidField({ nullable: true, doc: { description: 'The task it works on; null clears it' } })
  current_task_id?: string | null;

  @ObjectField({
    nullable: true,
    doc: {
      description:
        'Self-reported figures; only tasks_completed, tasks_failed, success_rate, avg_response_time ' +
        'and uptime_percentage (finite, non-negative) are kept, as reported_* figures; other keys are ignored',
    },
  })
  metrics?: Record<string, unknown>;
}

export class HeartbeatAckDto {
  @ApiProperty({ format: 'uuid' }) agent_id: string;
  @ApiProperty({ enum: AGENT_STATUSES, enumName: 'AgentStatus' }) status: AgentStatus;
  @ApiProperty({ format: 'date-time' }) last_heartbeat: string;
  @ApiProperty({ description: 'Send the next heartbeat before this many seconds pass' })
  offline_after_seconds: number;
}

export const AGENT_BULK_OPERATIONS = ['start', 'stop', 'restart', 'update', 'delete'] as const;
export type AgentBulkOperation = (typeof AGENT_BULK_OPERATIONS)[number];

export class BulkAgentOperationDto {
  @UuidListField({ min: 1, max: 100 })
  agent_ids: string[];

  @EnumField(AGENT_BULK_OPERATIONS, 'AgentBulkOperation')
  operation: AgentBulkOperation;

  @ObjectField({
    nullable: true,
    doc: {
      description:
        'update: the fields to change (validated like PUT); start|stop|restart: sent with the command',
    },
  })
  parameters?: Record<string, unknown>;
}

export class BulkAgentItemDto {
  @ApiProperty() agent_id: string;
  @ApiProperty() success: boolean;
  @ApiPropertyOptional() action?: string;
  @ApiPropertyOptional() error?: string;
}

export class BulkAgentResultDto {
  @ApiProperty({ enum: AGENT_BULK_OPERATIONS, enumName: 'AgentBulkOperation' })
  operation: AgentBulkOperation;
  @ApiProperty({ description: 'Ids in the request, duplicates included' }) total_agents: number;
  @ApiProperty() successful: number;
  @ApiProperty() failed: number;
  @ApiProperty({ type: [BulkAgentItemDto] }) results: BulkAgentItemDto[];
}

export class AgentCommandDto {
  @ObjectField({ nullable: true, doc: { description: 'Sent with the command; null sends none' } })
  parameters?: Record<string, unknown> | null;
}

export class AgentCommandResultDto {
  @ApiProperty({ enum: AGENT_COMMANDS, enumName: 'AgentCommand' }) command: AgentCommandName;
  @ApiProperty({ type: AgentResponseDto }) agent: AgentResponseDto;
}

const upper = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.toUpperCase() : value,
  );

export class LogEntryDto {
  @DateTimeField({ nullable: true, doc: { description: 'Defaults to the time of receipt' } })
  timestamp?: string;

  @ApiProperty({ enum: LOG_LEVELS, enumName: 'LogLevel' })
  @upper()
  @IsIn(LOG_LEVELS)
  level: LogLevel;

  @TextField({ min: 1, max: 10_000 })
  message: string;

  @ObjectField({ nullable: true })
  details?: Record<string, unknown>;

  @UuidField({ nullable: true })
  task_id?: string;
}

export class IngestLogsDto {
  @ApiProperty({ type: [LogEntryDto], minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => LogEntryDto)
  logs: LogEntryDto[];
}

export class IngestLogsResultDto {
  @ApiProperty({ format: 'uuid' }) agent_id: string;
  @ApiProperty() accepted: number;
}

export const LOG_SORT_FIELDS = ['timestamp'] as const;

export class ListLogsQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: LOG_LEVELS,
    enumName: 'LogLevel',
    description: 'Minimum level: WARNING returns WARNING, ERROR and CRITICAL',
  })
  @IsOptional()
  @upper()
  @IsIn(LOG_LEVELS)
  level?: LogLevel;

  @DateTimeField({ optional: true, doc: { description: 'Inclusive' } })
  since?: string;

  @DateTimeField({ optional: true, doc: { description: 'Exclusive' } })
  until?: string;

  @TextField(
    { min: 1, max: 200 },
    { optional: true, doc: { description: 'Case-insensitive text in the message' } },
  )
  search?: string;

  @UuidField({ optional: true })
  task_id?: string;

  @EnumField(LOG_SORT_FIELDS, 'AgentLogSortBy', { optional: true, doc: { default: 'timestamp' } })
  sort_by: (typeof LOG_SORT_FIELDS)[number] = 'timestamp';
}

export class AgentLogDto {
  @ApiProperty({ description: 'Increasing with insertion' }) id: string;
  @ApiProperty({ format: 'uuid' }) agent_id: string;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty({ enum: LOG_LEVELS, enumName: 'LogLevel' }) level: LogLevel;
  @ApiProperty() message: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  details: Record<string, unknown> | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) task_id: string | null;
}

export class AgentLogPageDto {
  @ApiProperty({ type: [AgentLogDto] }) data: AgentLogDto[];
  @ApiProperty({ example: { total: 1, skip: 0, limit: 50 } }) meta: {
    total: number;
    skip: number;
    limit: number;
  };
}

export const METRICS_TIME_RANGES = ['1h', '24h', '7d', '30d'] as const;
export type MetricsTimeRange = (typeof METRICS_TIME_RANGES)[number];

export class AgentMetricsQuery {
  @EnumField(METRICS_TIME_RANGES, 'MetricsTimeRange', { optional: true, doc: { default: '24h' } })
  time_range: MetricsTimeRange = '24h';
}

export class TaskDurationDto {
  @ApiProperty({ nullable: true, type: Number, description: 'ms; null without completed tasks' })
  avg: number | null;
  @ApiProperty({ nullable: true, type: Number }) p50: number | null;
  @ApiProperty({ nullable: true, type: Number }) p95: number | null;
}

export class AgentMetricsDto {
  @ApiProperty({ format: 'uuid' }) agent_id: string;
  @ApiProperty({ enum: METRICS_TIME_RANGES, enumName: 'MetricsTimeRange' })
  time_range: MetricsTimeRange;
  @ApiProperty({ format: 'date-time' }) period_start: string;
  @ApiProperty({ format: 'date-time' }) period_end: string;
  @ApiProperty({ description: 'Tasks of this agent completed in the period' })
  tasks_completed: number;
  @ApiProperty({ description: 'Tasks of this agent failed in the period' }) tasks_failed: number;
  @ApiProperty({ description: '%; 0 without finished tasks' }) success_rate: number;
  @ApiProperty({ type: TaskDurationDto, description: 'Started to completed, ms' })
  task_duration: TaskDurationDto;
  @ApiProperty({ description: 'Completed tasks per hour over the period' })
  throughput_per_hour: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Share of the period (since the first heartbeat) spent active, idle or busy, %; null until the agent sends a heartbeat',
  })
  uptime_percentage: number | null;
  @ApiProperty({ description: 'ERROR and CRITICAL log lines in the period' }) error_count: number;
  @ApiProperty({ description: 'Status changes in the period' }) status_changes: number;
}

export class ConfigurationUploadResultDto {
  @ApiProperty() message: string;
  @ApiProperty({ format: 'uuid' }) agent_id: string;
  @ApiProperty() filename: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The validated file' })
  configuration: Record<string, unknown>;
  @ApiProperty({
    format: 'uuid',
    description:
      'The agents.process_configuration job applying it; the agent then announces configuration_updated',
  })
  job_id: string;
}
