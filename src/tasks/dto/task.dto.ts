import { ApiProperty, ApiPropertyOptional, IntersectionType, PickType } from '@nestjs/swagger';
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
} from 'class-validator';
import { PageQuery, V1PageQuery } from '../../common/pagination/page.js';
import {
  TASK_PRIORITIES,
  TASK_STATUSES,
  type TaskPriority,
  type TaskStatus,
} from '../task-state.js';
import {
  IsOptionalNotNull,
  QueryBoolean,
  QueryList,
  StringList,
} from '../../common/validation/decorators.js';

/** The writable fields of a task (not its status, progress or outcome: those follow the state machine). */
export class TaskWritableFields {
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 20_000 })
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  description?: string | null;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES, enumName: 'TaskPriority', default: 'medium' })
  @IsOptionalNotNull()
  @IsIn(TASK_PRIORITIES)
  priority?: TaskPriority;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  task_type?: string | null;

  @ApiPropertyOptional({ type: [String] })
  @IsOptionalNotNull()
  @StringList()
  tags?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptionalNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID()
  assigned_agent_id?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID()
  workflow_id?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID()
  run_id?: string | null;

  @ApiPropertyOptional({ minimum: 1, nullable: true, type: Number })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  estimated_duration_minutes?: number | null;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, nullable: true, type: Number })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  complexity_score?: number | null;

  @ApiPropertyOptional({ minimum: 1, nullable: true, type: Number })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  effort_points?: number | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  @IsOptional()
  @IsISO8601({ strict: true })
  due_date?: string | null;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  is_urgent?: boolean;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  requires_review?: boolean;
}

export class CreateTaskDto extends TaskWritableFields {
  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Write the API docs' })
  @IsString()
  @Length(1, 500)
  title: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Tasks this one depends on; each must exist',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  dependencies?: string[];
}

export class UpdateTaskDto extends TaskWritableFields {
  @ApiPropertyOptional({ minLength: 1, maxLength: 500 })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 500)
  title?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, nullable: true, type: Number })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  quality_score?: number | null;
}

export const TASK_SORT_FIELDS = [
  'created_at',
  'updated_at',
  'priority',
  'due_date',
  'title',
  'status',
] as const;
export type TaskSortField = (typeof TASK_SORT_FIELDS)[number];

/** Filters of the v1 and v2 lists. */
export interface TaskFilters {
  status?: TaskStatus;
  priority?: TaskPriority;
  assigned_agent_id?: string;
  workflow_id?: string;
  run_id?: string;
  task_type?: string;
  tags?: string[];
  search?: string;
  ready?: boolean;
  is_blocked?: boolean;
  is_urgent?: boolean;
}

export class ListTasksQuery extends PageQuery implements TaskFilters {
  @ApiPropertyOptional({ enum: TASK_STATUSES, enumName: 'TaskStatus' })
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES, enumName: 'TaskPriority' })
  @IsOptional()
  @IsIn(TASK_PRIORITIES)
  priority?: TaskPriority;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  assigned_agent_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  workflow_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  run_id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  task_type?: string;

  @ApiPropertyOptional({ description: 'Comma list; a task matches if it has any of them' })
  @IsOptional()
  @QueryList()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ description: 'Case-insensitive text in the title or description' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  search?: string;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'true: pending tasks whose dependencies are all completed; false: the others',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  ready?: boolean;

  @ApiPropertyOptional({ enum: TASK_SORT_FIELDS, enumName: 'TaskSortBy', default: 'created_at' })
  @IsOptional()
  @IsIn(TASK_SORT_FIELDS)
  sort_by: TaskSortField = 'created_at';
}

/** The v1 list: v1 paging (no sorting) and the filters it shares with the v2 list, taken from it. */
export class V1ListTasksQuery
  extends IntersectionType(
    V1PageQuery,
    PickType(ListTasksQuery, [
      'status',
      'priority',
      'assigned_agent_id',
      'workflow_id',
      'task_type',
    ] as const),
  )
  implements TaskFilters
{
  @ApiPropertyOptional({ type: Boolean, description: 'Status blocked' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  is_blocked?: boolean;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  is_urgent?: boolean;
}

export class AssignedAgentDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) id: string | null;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
}

/** v2: the agent a task is assigned to. */
export class AgentRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiPropertyOptional() name?: string;
}

export class TimeTrackingDto {
  @ApiProperty({ nullable: true, type: Number }) estimated_duration_minutes: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'From started_at to completed_at' })
  actual_duration_minutes: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) started_at: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When it completed, failed or was cancelled',
  })
  completed_at: string | null;
}

export class TaskProgressDto {
  @ApiProperty({ description: '0-100' }) percentage: number;
  @ApiProperty() subtasks_completed: number;
  @ApiProperty() subtasks_total: number;
}

export class QualityMetricsDto {
  @ApiProperty({ nullable: true, type: Number }) quality_score: number | null;
  @ApiProperty({ nullable: true, type: Number }) complexity_score: number | null;
  @ApiProperty({ nullable: true, type: Number }) effort_points: number | null;
}

export class TaskFlagsDto {
  @ApiProperty({ description: 'Status is blocked (a dependency failed or was cancelled)' })
  is_blocked: boolean;
  @ApiProperty() is_urgent: boolean;
  @ApiProperty() requires_review: boolean;
}

/** Fields v1 and v2 share. */
class TaskBodyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ enum: TASK_STATUSES, enumName: 'TaskStatus' }) status: TaskStatus;
  @ApiProperty({ enum: TASK_PRIORITIES, enumName: 'TaskPriority' }) priority: TaskPriority;
  @ApiProperty({ nullable: true, type: String }) task_type: string | null;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) workflow_id: string | null;
  @ApiProperty({ type: TimeTrackingDto }) time_tracking: TimeTrackingDto;
  @ApiProperty({ type: [String], description: 'Ids of the tasks it depends on' })
  dependencies: string[];
  @ApiProperty({ type: [String], description: 'Ids of the tasks that depend on it' })
  dependents: string[];
  @ApiProperty({ type: TaskProgressDto }) progress: TaskProgressDto;
  @ApiProperty({ type: QualityMetricsDto }) quality_metrics: QualityMetricsDto;
  @ApiProperty({ type: TaskFlagsDto }) flags: TaskFlagsDto;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) due_date: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

/** The v2 representation (CONTRACT §3 Task), also the payload of task events. */
export class TaskResponseDto extends TaskBodyDto {
  @ApiProperty({ type: AgentRefDto, nullable: true })
  assigned_agent: AgentRefDto | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) run_id: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The workflow step it carries (tasks of a run)',
  })
  step_key: string | null;
  @ApiProperty({ description: '1, then one more per retry' }) attempt: number;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  result: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
}

/** The original v1 TaskResponse. */
export class V1TaskResponseDto extends TaskBodyDto {
  @ApiProperty({ type: AssignedAgentDto }) assigned_agent: AssignedAgentDto;
}

export class TaskPageDto {
  @ApiProperty({ type: [TaskResponseDto] }) data: TaskResponseDto[];
  @ApiProperty({ example: { total: 1, skip: 0, limit: 50 } }) meta: {
    total: number;
    skip: number;
    limit: number;
  };
}
