import { ApiProperty, ApiPropertyOptional, IntersectionType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOptionalNotNull, StringList } from '../../common/validation/decorators.js';
import { V1PageQuery } from '../../common/pagination/page.js';
import {
  STORED_WORKFLOW_STATUSES,
  type StoredWorkflowStatus,
} from '../entities/workflow.entity.js';
import { FAILURE_POLICIES, type FailurePolicy } from '../workflow-definition.js';
import {
  AssignedAgentInputDto,
  CreateWorkflowDto,
  ListWorkflowsQuery,
  UpdateWorkflowDto,
  type WorkflowFilters,
} from './workflow.dto.js';
import { MAX_STEPS, WorkflowStepDto } from './workflow-step.dto.js';

/** v1 create: the original WorkflowCreate (scheduled_at accepted and ignored: runs carry schedules). */
export class V1CreateWorkflowDto extends CreateWorkflowDto {
  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    type: String,
    description:
      'Accepted for compatibility and ignored: execute with scheduled_at to schedule a run',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  scheduled_at?: string | null;
}

/**
 * v1 update: the original WorkflowUpdate. Derived figures (progress, counters, rates,
 * durations, utilisation) are kept as reported figures, never over the derived ones.
 */
export class V1UpdateWorkflowDto extends UpdateWorkflowDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 100, description: 'Stored as a reported figure' })
  @IsOptionalNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  progress_percentage?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  total_tasks?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  completed_tasks?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  failed_tasks?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptionalNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  success_rate?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptionalNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  quality_score?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptionalNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  efficiency_score?: number;

  @ApiPropertyOptional({ exclusiveMinimum: 0 } as object)
  @IsOptionalNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.000001)
  actual_duration_hours?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptionalNotNull()
  @IsObject()
  agent_utilization?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'true pauses the workflow (and its running runs); false resumes',
  })
  @IsOptionalNotNull()
  @IsBoolean()
  is_paused?: boolean;

  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Ignored (see create)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  scheduled_at?: string | null;
}

export class V1WorkflowStatusDto {
  @ApiProperty({ enum: STORED_WORKFLOW_STATUSES, enumName: 'StoredWorkflowStatus' })
  @IsIn(STORED_WORKFLOW_STATUSES)
  status: StoredWorkflowStatus;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, description: 'Stored as a reported figure' })
  @IsOptionalNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  progress_percentage?: number;
}

export class V1WorkflowProgressDto {
  @ApiProperty({ minimum: 0, maximum: 100 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  progress_percentage: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  total_tasks?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  completed_tasks?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  failed_tasks?: number;
}

export class V1AddAgentDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  agent_id: string;

  @ApiPropertyOptional({ description: 'Ignored: the agent’s own name is used' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  agent_name?: string;
}

export class V1TemplateDto {
  @ApiProperty({ minLength: 1, maxLength: 255 })
  @IsString()
  @Length(1, 255)
  name: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  description?: string | null;

  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  workflow_type: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptionalNotNull()
  @IsObject()
  configuration?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptionalNotNull()
  @IsObject()
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [AssignedAgentInputDto], description: 'Must name existing agents' })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => AssignedAgentInputDto)
  default_agents?: AssignedAgentInputDto[];

  @ApiPropertyOptional({ exclusiveMinimum: 0 } as object)
  @IsOptionalNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.000001)
  estimated_duration_hours?: number;

  @ApiPropertyOptional({ type: [String] })
  @IsOptionalNotNull()
  @StringList()
  tags?: string[];

  @ApiPropertyOptional({ type: [WorkflowStepDto] })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_STEPS)
  @ValidateNested({ each: true })
  @Type(() => WorkflowStepDto)
  steps?: WorkflowStepDto[];

  @ApiPropertyOptional({ enum: FAILURE_POLICIES, enumName: 'FailurePolicy' })
  @IsOptionalNotNull()
  @IsIn(FAILURE_POLICIES)
  failure_policy?: FailurePolicy;
}

export class V1ExecuteDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Accepted and ignored (the path names the workflow)',
  })
  @IsOptional()
  @IsUUID()
  workflow_id?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptionalNotNull()
  @IsObject()
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  @IsOptional()
  @IsISO8601({ strict: true })
  scheduled_at?: string | null;

  @ApiPropertyOptional({
    type: [AssignedAgentInputDto],
    description: 'Replaces the assigned agents',
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => AssignedAgentInputDto)
  assigned_agents?: AssignedAgentInputDto[];
}

/** The v1 list: v1 paging (no sorting) and the filters it shares with the v2 list, taken from it. */
export class V1ListWorkflowsQuery
  extends IntersectionType(
    V1PageQuery,
    PickType(ListWorkflowsQuery, ['status', 'workflow_type', 'project_id', 'is_template'] as const),
  )
  implements WorkflowFilters {}
