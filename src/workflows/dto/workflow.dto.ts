import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, ValidateNested } from 'class-validator';
import { IsOptionalNotNull } from '../../common/validation/decorators.js';
import {
  BooleanField,
  DateTimeField,
  EnumField,
  NumberField,
  ObjectField,
  QueryFlag,
  QueryTags,
  StringListField,
  TextField,
  UuidField,
} from '../../common/validation/fields.js';
import { PageQuery } from '../../common/pagination/page.js';
import {
  STORED_WORKFLOW_STATUSES,
  type StoredWorkflowStatus,
} from '../entities/workflow.entity.js';
import { RUN_STATUSES, type RunCounters, type RunStatus } from '../run-state.js';
import { FAILURE_POLICIES, type FailurePolicy } from '../workflow-definition.js';
import { MAX_STEPS, WorkflowStepDto, WorkflowStepResponseDto } from './workflow-step.dto.js';

/** Every status a workflow shows: the stored ones, and `running`/`scheduled` while it has such a run. */
export const WORKFLOW_STATUSES = [
  'active',
  'inactive',
  'paused',
  'running',
  'scheduled',
  'completed',
  'failed',
  'cancelled',
] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

export class AssignedAgentInputDto {
  @UuidField({ doc: { description: 'Must name an existing agent' } })
  id: string;

  @TextField(
    { max: 255 },
    { nullable: true, doc: { description: 'Ignored: the agent’s own name is kept' } },
  )
  name?: string;
}

/** The fields v1 and v2 bodies share (CONTRACT §3 "Workflows"). */
export class WorkflowWritableFields {
  @TextField({ max: 20_000 }, { nullable: true })
  description?: string | null;

  @TextField({ min: 1, max: 100 }, { nullable: true })
  workflow_type?: string | null;

  @TextField({ min: 1, max: 255 }, { nullable: true })
  project_id?: string | null;

  @TextField({ min: 1, max: 255 }, { nullable: true })
  project_name?: string | null;

  @ObjectField({ optional: true })
  configuration?: Record<string, unknown>;

  @ObjectField({ optional: true, doc: { description: 'Defaults for runs' } })
  parameters?: Record<string, unknown>;

  @StringListField({ optional: true })
  tags?: string[];

  @ObjectField({ optional: true })
  metadata?: Record<string, unknown>;

  @BooleanField({ optional: true, doc: { default: false } })
  is_template?: boolean;

  @BooleanField({ optional: true, doc: { default: false } })
  requires_approval?: boolean;

  @ApiPropertyOptional({ type: [AssignedAgentInputDto] })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => AssignedAgentInputDto)
  assigned_agents?: AssignedAgentInputDto[];

  @ApiPropertyOptional({
    type: [WorkflowStepDto],
    description: 'Unique keys, depends_on naming known keys, no cycle (400 naming the step path)',
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_STEPS)
  @ValidateNested({ each: true })
  @Type(() => WorkflowStepDto)
  steps?: WorkflowStepDto[];

  @EnumField(FAILURE_POLICIES, 'FailurePolicy', { optional: true, doc: { default: 'fail_fast' } })
  failure_policy?: FailurePolicy;

  @NumberField({ min: 0.000001 }, { nullable: true })
  estimated_duration_hours?: number | null;
}

export class CreateWorkflowDto extends WorkflowWritableFields {
  @TextField({ min: 1, max: 255 }, { doc: { example: 'Release pipeline' } })
  name: string;

  @EnumField(STORED_WORKFLOW_STATUSES, 'StoredWorkflowStatus', {
    optional: true,
    doc: { default: 'active' },
  })
  status?: StoredWorkflowStatus;
}

export class UpdateWorkflowDto extends WorkflowWritableFields {
  @TextField({ min: 1, max: 255 }, { optional: true })
  name?: string;

  @EnumField(STORED_WORKFLOW_STATUSES, 'StoredWorkflowStatus', { optional: true })
  status?: StoredWorkflowStatus;
}

export const WORKFLOW_SORT_FIELDS = ['name', 'status', 'created_at', 'updated_at'] as const;
export type WorkflowSortField = (typeof WORKFLOW_SORT_FIELDS)[number];

export interface WorkflowFilters {
  status?: WorkflowStatus;
  workflow_type?: string;
  project_id?: string;
  is_template?: boolean;
  tags?: string[];
  search?: string;
}

export class ListWorkflowsQuery extends PageQuery implements WorkflowFilters {
  @EnumField(WORKFLOW_STATUSES, 'WorkflowStatus', { optional: true })
  status?: WorkflowStatus;

  @TextField({ min: 1, max: 100 }, { optional: true })
  workflow_type?: string;

  @TextField({ min: 1, max: 255 }, { optional: true })
  project_id?: string;

  @QueryFlag()
  is_template?: boolean;

  @QueryTags('Comma list; a workflow matches if it has any of them')
  tags?: string[];

  @TextField(
    { min: 1, max: 200 },
    { optional: true, doc: { description: 'Case-insensitive text in the name or description' } },
  )
  search?: string;

  @EnumField(WORKFLOW_SORT_FIELDS, 'WorkflowSortBy', {
    optional: true,
    doc: { default: 'created_at' },
  })
  sort_by: WorkflowSortField = 'created_at';
}

export class ExecuteWorkflowDto {
  @ObjectField({
    optional: true,
    doc: { description: 'Merged over the workflow’s parameters for this run' },
  })
  parameters?: Record<string, unknown>;

  @DateTimeField({
    nullable: true,
    doc: { description: 'Start the run then (it is created now, scheduled)' },
  })
  scheduled_at?: string | null;
}

export class ExecuteAcceptedDto {
  @ApiProperty({ format: 'uuid' }) run_id: string;
  @ApiProperty({ enum: RUN_STATUSES, enumName: 'RunStatus' }) status: RunStatus;
}

export class RefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class StepCountersDto implements RunCounters {
  @ApiProperty() total: number;
  @ApiProperty({ description: 'pending or blocked' }) pending: number;
  @ApiProperty() running: number;
  @ApiProperty() completed: number;
  @ApiProperty() failed: number;
  @ApiProperty() cancelled: number;
}

export class RunCountsDto {
  @ApiProperty() total: number;
  @ApiProperty() scheduled: number;
  @ApiProperty() running: number;
  @ApiProperty() paused: number;
  @ApiProperty() completed: number;
  @ApiProperty() failed: number;
  @ApiProperty() cancelled: number;
}

export class LatestRunDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() run_number: number;
  @ApiProperty({ enum: RUN_STATUSES, enumName: 'RunStatus' }) status: RunStatus;
  @ApiProperty() progress: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) started_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completed_at: string | null;
}

export class WorkflowResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ enum: WORKFLOW_STATUSES, enumName: 'WorkflowStatus' }) status: WorkflowStatus;
  @ApiProperty({ nullable: true, type: String }) workflow_type: string | null;
  @ApiProperty({ nullable: true, type: String }) project_id: string | null;
  @ApiProperty({ nullable: true, type: String }) project_name: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) configuration: Record<
    string,
    unknown
  >;
  @ApiProperty({ type: 'object', additionalProperties: true }) parameters: Record<string, unknown>;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty() is_template: boolean;
  @ApiProperty() requires_approval: boolean;
  @ApiProperty({ type: [RefDto] }) assigned_agents: RefDto[];
  @ApiProperty({ type: [WorkflowStepResponseDto] }) steps: WorkflowStepResponseDto[];
  @ApiProperty({ enum: FAILURE_POLICIES, enumName: 'FailurePolicy' }) failure_policy: FailurePolicy;
  @ApiProperty({ nullable: true, type: Number }) estimated_duration_hours: number | null;
  @ApiProperty({ description: 'Progress of the latest run (0-100), 0 without runs' })
  progress: number;
  @ApiProperty({ type: StepCountersDto, description: 'Step counters of the latest run' })
  counters: StepCountersDto;
  @ApiProperty({ type: RunCountsDto }) runs: RunCountsDto;
  @ApiProperty({ description: 'Completed runs among finished ones, %' }) success_rate: number;
  @ApiProperty({ type: LatestRunDto, nullable: true }) latest_run: LatestRunDto | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Next scheduled run',
  })
  scheduled_at: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Figures v1 clients reported',
  })
  reported: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class WorkflowPageDto {
  @ApiProperty({ type: [WorkflowResponseDto] }) data: WorkflowResponseDto[];
  @ApiProperty({ example: { total: 1, skip: 0, limit: 50 } }) meta: {
    total: number;
    skip: number;
    limit: number;
  };
}
