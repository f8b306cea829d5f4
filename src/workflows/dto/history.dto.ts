import { ApiProperty } from '@nestjs/swagger';
import { RUN_STATUSES, type RunStatus } from '../run-state.js';
import { QueryInt } from '../../common/validation/decorators.js';
import { DateTimeField, EnumField, TextField, UuidField } from '../../common/validation/fields.js';

export class HistoryWindowQuery {
  @DateTimeField({
    optional: true,
    doc: { description: 'With only end_date: 30 days before it' },
  })
  start_date?: string;

  @DateTimeField({ optional: true, doc: { description: 'With only start_date: now' } })
  end_date?: string;
}

export class HistoryRunsQuery extends HistoryWindowQuery {
  @QueryInt({ minimum: 1, maximum: 1000, default: 50 })
  limit: number = 50;

  @QueryInt({ minimum: 0, default: 0 })
  offset: number = 0;

  @TextField({ min: 1, max: 255 }, { optional: true })
  project_id?: string;

  @EnumField(RUN_STATUSES, 'RunStatus', { optional: true })
  status_filter?: RunStatus;
}

export const PERIOD_TYPES = ['hour', 'day', 'week', 'month'] as const;
export type PeriodType = (typeof PERIOD_TYPES)[number];

export class AgentPerformanceQuery extends HistoryWindowQuery {
  @UuidField({ optional: true })
  agent_id?: string;

  @EnumField(PERIOD_TYPES, 'PeriodType', { optional: true, doc: { default: 'day' } })
  period_type: PeriodType = 'day';

  @QueryInt({ minimum: 1, maximum: 1000, default: 100 })
  limit: number = 100;
}

export class HistoryCleanupQuery {
  @QueryInt({ minimum: 1, maximum: 365, default: 90 })
  retention_days: number = 90;
}

export class HistoryPaginationDto {
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
  @ApiProperty() total: number;
  @ApiProperty() has_more: boolean;
}

/** A run in the original WorkflowHistory shape (phases are steps). */
export class HistoryRunDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) workflow_id: string;
  @ApiProperty({ description: 'The run id' }) execution_id: string;
  @ApiProperty({ description: 'The run number within its workflow' }) execution_number: number;
  @ApiProperty({ type: 'object', additionalProperties: true })
  workflow: {
    name: string;
    type: string | null;
    project_id: string | null;
    project_name: string | null;
  };
  @ApiProperty({ enum: RUN_STATUSES, enumName: 'RunStatus' }) status: RunStatus;
  @ApiProperty({ nullable: true, enum: ['success', 'failure', 'partial'], enumName: 'FinalResult' })
  final_result: 'success' | 'failure' | 'partial' | null;
  @ApiProperty({ type: 'object', additionalProperties: true })
  time_tracking: {
    started_at: string | null;
    completed_at: string | null;
    duration_seconds: number | null;
  };
  @ApiProperty({ type: 'object', additionalProperties: true })
  progress: {
    phases: { total: number; completed: number; failed: number; skipped: number };
    tasks: { total: number; completed: number; failed: number };
  };
  @ApiProperty({ type: 'object', additionalProperties: true })
  quality_metrics: {
    success_rate: number;
    quality_score: number | null;
    efficiency_score: number | null;
  };
  @ApiProperty({ type: 'object', additionalProperties: true })
  agents: {
    assigned: { id: string; name: string | null }[];
    performance_summary: Record<string, unknown>;
  };
  @ApiProperty({ type: 'object', additionalProperties: true })
  issues: { errors: string[]; warnings: string[]; critical: string[] };
  @ApiProperty({ type: 'object', additionalProperties: true }) resource_usage: Record<
    string,
    unknown
  >;
  @ApiProperty({ type: 'object', additionalProperties: true })
  trigger: { by: string | null; event: Record<string, unknown> };
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class HistoryRunsDto {
  @ApiProperty({ type: [HistoryRunDto] }) workflows: HistoryRunDto[];
  @ApiProperty({ type: HistoryPaginationDto }) pagination: HistoryPaginationDto;
}

export class HistoryPhaseDto {
  @ApiProperty({ format: 'uuid', description: 'The step’s task' }) id: string;
  @ApiProperty({ format: 'uuid' }) workflow_history_id: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) phase: {
    name: string;
    key: string;
    type: string | null;
    order: number;
  };
  @ApiProperty() status: string;
  @ApiProperty({ nullable: true, type: String }) result: 'success' | 'failure' | null;
  @ApiProperty({ type: 'object', additionalProperties: true })
  time_tracking: {
    started_at: string | null;
    completed_at: string | null;
    duration_seconds: number | null;
  };
  @ApiProperty({ type: 'object', additionalProperties: true }) agent: {
    id: string | null;
    name: string | null;
  };
  @ApiProperty() attempt: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) parameters: {
    output: Record<string, unknown> | null;
  };
  @ApiProperty({ type: 'object', additionalProperties: true }) quality_metrics: {
    quality_score: number | null;
  };
  @ApiProperty({ type: 'object', additionalProperties: true }) relationships: {
    dependencies: string[];
    dependents: string[];
  };
  @ApiProperty({ type: 'object', additionalProperties: true }) issues: {
    errors: string[];
    warnings: string[];
  };
}

export class HistoryHandoffDto {
  @ApiProperty({ type: 'object', additionalProperties: true }) handoff: {
    name: string;
    type: string;
  };
  @ApiProperty({ type: 'object', additionalProperties: true }) source: {
    phase_name: string;
    agent_id: string | null;
  };
  @ApiProperty({ type: 'object', additionalProperties: true }) target: {
    phase_name: string;
    agent_id: string | null;
  };
  @ApiProperty() status: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'From the source step’s completion to the target step’s assignment',
  })
  time_tracking: {
    initiated_at: string | null;
    completed_at: string | null;
    duration_seconds: number | null;
  };
}

export class HistoryRunDetailDto extends HistoryRunDto {
  @ApiProperty({ type: [HistoryPhaseDto] }) phases: HistoryPhaseDto[];
  @ApiProperty({ type: [HistoryHandoffDto] }) handoffs: HistoryHandoffDto[];
}

export class AgentPerformanceDto {
  @ApiProperty({ type: 'object', additionalProperties: true }) agent: {
    id: string;
    name: string | null;
    type: string | null;
  };
  @ApiProperty({ type: 'object', additionalProperties: true }) period: {
    start: string;
    end: string;
    type: PeriodType;
  };
  @ApiProperty({ type: 'object', additionalProperties: true }) performance: Record<
    string,
    { total: number; successful: number; failed: number; success_rate: number }
  >;
  @ApiProperty({ type: 'object', additionalProperties: true }) time_metrics: Record<
    string,
    number | null
  >;
  @ApiProperty({ type: 'object', additionalProperties: true }) quality_metrics: {
    average_quality_score: number | null;
  };
  @ApiProperty({ type: 'object', additionalProperties: true }) utilization: {
    utilization_percentage: number;
    idle_time_seconds: number;
  };
  @ApiProperty({ type: 'object', additionalProperties: true }) issues: {
    total_errors: number;
    timeouts: number;
  };
}

export class AgentPerformanceListDto {
  @ApiProperty({ type: [AgentPerformanceDto] }) metrics: AgentPerformanceDto[];
  @ApiProperty({ type: 'object', additionalProperties: true })
  summary: {
    total_records: number;
    agents_covered: number;
    date_range: { start: string | null; end: string | null };
  };
}

export class AnalyticsSummaryDto {
  @ApiProperty() total_workflows: number;
  @ApiProperty() successful_workflows: number;
  @ApiProperty() failed_workflows: number;
  @ApiProperty() cancelled_workflows: number;
  @ApiProperty({ description: 'Completed runs among finished ones, %' }) success_rate: number;
  @ApiProperty({ nullable: true, type: Number }) average_duration_seconds: number | null;
  @ApiProperty() total_tasks: number;
  @ApiProperty() completed_tasks: number;
  @ApiProperty({ description: '%' }) task_completion_rate: number;
  @ApiProperty({ nullable: true, type: Number }) average_quality_score: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) period_start: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) period_end: string | null;
}

export class HistoryCleanupDto {
  @ApiProperty() message: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  deleted_records: {
    workflow_history_deleted: number;
    phase_history_deleted: number;
    dispatch_records_deleted: number;
    performance_metrics_deleted: number;
  };
  @ApiProperty({ format: 'date-time' }) cutoff_date: string;
}
