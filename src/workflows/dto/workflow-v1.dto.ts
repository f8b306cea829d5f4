import { ApiPropertyOptional, IntersectionType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, ValidateNested } from 'class-validator';
import { IsOptionalNotNull } from '../../common/validation/decorators.js';
import {
  BooleanField,
  DateTimeField,
  EnumField,
  IntField,
  NumberField,
  ObjectField,
  StringListField,
  TextField,
  UuidField,
} from '../../common/validation/fields.js';
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
  @DateTimeField({
    nullable: true,
    doc: {
      description:
        'Accepted for compatibility and ignored: execute with scheduled_at to schedule a run',
    },
  })
  scheduled_at?: string | null;
}

/**
 * v1 update: the original WorkflowUpdate. Derived figures (progress, counters, rates,
 * durations, utilisation) are kept as reported figures, never over the derived ones.
 */
export class V1UpdateWorkflowDto extends UpdateWorkflowDto {
  @NumberField(
    { min: 0, max: 100 },
    {
      optional: true,
      doc: { description: 'Stored as a reported figure' },
    },
  )
  progress_percentage?: number;

  @IntField({ min: 0 }, { optional: true })
  total_tasks?: number;

  @IntField({ min: 0 }, { optional: true })
  completed_tasks?: number;

  @IntField({ min: 0 }, { optional: true })
  failed_tasks?: number;

  @NumberField({ min: 0, max: 100 }, { optional: true })
  success_rate?: number;

  @NumberField({ min: 0, max: 100 }, { optional: true })
  quality_score?: number;

  @NumberField({ min: 0, max: 100 }, { optional: true })
  efficiency_score?: number;

  @NumberField({ min: 0.000001 }, { optional: true })
  actual_duration_hours?: number;

  @ObjectField({ optional: true })
  agent_utilization?: Record<string, unknown>;

  @BooleanField({
    optional: true,
    doc: { description: 'true pauses the workflow (and its running runs); false resumes' },
  })
  is_paused?: boolean;

  @DateTimeField({ nullable: true, doc: { description: 'Ignored (see create)' } })
  scheduled_at?: string | null;
}

export class V1WorkflowStatusDto {
  @EnumField(STORED_WORKFLOW_STATUSES, 'StoredWorkflowStatus')
  status: StoredWorkflowStatus;

  @NumberField(
    { min: 0, max: 100 },
    {
      optional: true,
      doc: { description: 'Stored as a reported figure' },
    },
  )
  progress_percentage?: number;
}

export class V1WorkflowProgressDto {
  @NumberField({ min: 0, max: 100 })
  progress_percentage: number;

  @IntField({ min: 0 }, { optional: true })
  total_tasks?: number;

  @IntField({ min: 0 }, { optional: true })
  completed_tasks?: number;

  @IntField({ min: 0 }, { optional: true })
  failed_tasks?: number;
}

export class V1AddAgentDto {
  @UuidField()
  agent_id: string;

  @TextField(
    { max: 255 },
    { nullable: true, doc: { description: 'Ignored: the agent’s own name is used' } },
  )
  agent_name?: string;
}

export class V1TemplateDto {
  @TextField({ min: 1, max: 255 })
  name: string;

  @TextField({ max: 20_000 }, { nullable: true })
  description?: string | null;

  @TextField({ min: 1, max: 100 })
  workflow_type: string;

  @ObjectField({ optional: true })
  configuration?: Record<string, unknown>;

  @ObjectField({ optional: true })
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [AssignedAgentInputDto], description: 'Must name existing agents' })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => AssignedAgentInputDto)
  default_agents?: AssignedAgentInputDto[];

  @NumberField({ min: 0.000001 }, { optional: true })
  estimated_duration_hours?: number;

  @StringListField({ optional: true })
  tags?: string[];

  @ApiPropertyOptional({ type: [WorkflowStepDto] })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_STEPS)
  @ValidateNested({ each: true })
  @Type(() => WorkflowStepDto)
  steps?: WorkflowStepDto[];

  @EnumField(FAILURE_POLICIES, 'FailurePolicy', { optional: true })
  failure_policy?: FailurePolicy;
}

export class V1ExecuteDto {
  @UuidField({
    nullable: true,
    doc: { description: 'Accepted and ignored (the path names the workflow)' },
  })
  workflow_id?: string;

  @ObjectField({ optional: true })
  parameters?: Record<string, unknown>;

  @DateTimeField({ nullable: true })
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
