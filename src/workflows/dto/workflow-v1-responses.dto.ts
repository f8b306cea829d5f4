/* v1 workflow responses (the original's shapes). */
import { ApiProperty } from '@nestjs/swagger';
import { RUN_STATUSES, type RunStatus } from '../run-state.js';
import { FAILURE_POLICIES, type FailurePolicy } from '../workflow-definition.js';
import { RefDto, WORKFLOW_STATUSES, type WorkflowStatus } from './workflow.dto.js';
import { WorkflowStepResponseDto } from './workflow-step.dto.js';
export class V1ProjectDto {
  @ApiProperty({ nullable: true, type: String }) id: string | null;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
}

export class V1ProgressDto {
  @ApiProperty({ description: 'Progress of the latest run, %' }) percentage: number;
  @ApiProperty({ description: 'Steps of the latest run' }) total_tasks: number;
  @ApiProperty() completed_tasks: number;
  @ApiProperty() failed_tasks: number;
}

export class V1TimeTrackingDto {
  @ApiProperty({ nullable: true, type: Number }) estimated_duration_hours: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Of the latest finished run' })
  actual_duration_hours: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) started_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completed_at: string | null;
}

export class V1QualityDto {
  @ApiProperty({ description: 'Completed runs among finished ones, %' }) success_rate: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Mean quality score its steps reported',
  })
  quality_score: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Only as reported (v1)' })
  efficiency_score: number | null;
}

export class V1AgentsDto {
  @ApiProperty({ type: [RefDto] }) assigned: RefDto[];
  @ApiProperty({ type: 'object', additionalProperties: true }) utilization: Record<string, unknown>;
}

export class V1FlagsDto {
  @ApiProperty() is_paused: boolean;
  @ApiProperty() is_template: boolean;
  @ApiProperty() requires_approval: boolean;
}

/** The original v1 WorkflowResponse, from the same data (plus the definition). */
export class V1WorkflowResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ enum: WORKFLOW_STATUSES, enumName: 'WorkflowStatus' }) status: WorkflowStatus;
  @ApiProperty({ nullable: true, type: String }) workflow_type: string | null;
  @ApiProperty({ type: V1ProjectDto }) project: V1ProjectDto;
  @ApiProperty({ type: 'object', additionalProperties: true }) configuration: Record<
    string,
    unknown
  >;
  @ApiProperty({ type: 'object', additionalProperties: true }) parameters: Record<string, unknown>;
  @ApiProperty({ type: V1ProgressDto }) progress: V1ProgressDto;
  @ApiProperty({ type: V1TimeTrackingDto }) time_tracking: V1TimeTrackingDto;
  @ApiProperty({ type: V1QualityDto }) quality_metrics: V1QualityDto;
  @ApiProperty({ type: V1AgentsDto }) agents: V1AgentsDto;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ type: V1FlagsDto }) flags: V1FlagsDto;
  @ApiProperty({ type: [WorkflowStepResponseDto] }) steps: WorkflowStepResponseDto[];
  @ApiProperty({ enum: FAILURE_POLICIES, enumName: 'FailurePolicy' }) failure_policy: FailurePolicy;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) reported: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Next scheduled run',
  })
  scheduled_at: string | null;
}

export class V1WorkflowStatsDto {
  @ApiProperty() total_workflows: number;
  @ApiProperty({ description: 'Status active, running or scheduled' }) active_workflows: number;
  @ApiProperty() paused_workflows: number;
  @ApiProperty() completed_workflows: number;
  @ApiProperty() failed_workflows: number;
  @ApiProperty() template_workflows: number;
  @ApiProperty({ description: 'Mean progress of the workflows’ latest runs, %' })
  avg_progress: number;
  @ApiProperty({ description: 'Mean of the workflows’ run success rates, %' })
  avg_success_rate: number;
}

export class V1ExecutionDto {
  @ApiProperty() message: string;
  @ApiProperty({ format: 'uuid' }) workflow_id: string;
  @ApiProperty({ format: 'uuid' }) run_id: string;
  @ApiProperty({ enum: RUN_STATUSES, enumName: 'RunStatus' }) status: RunStatus;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) scheduled_at: string | null;
}

export class WorkflowV1MessageDto {
  @ApiProperty() message: string;
}
